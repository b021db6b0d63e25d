#include "streams/allocator.hpp"

#include <cstdlib>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace vw::streams {

void bound_allocator() {
#if defined(__GLIBC__)
  if (std::getenv("GLIBC_TUNABLES") != nullptr) return;
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  // 16 MB: per-frame blocks (a decoded 4K NV12 frame, a 1x1 wall's 1080p RGBA tile) stay on the
  // heap instead of an mmap and its page faults per frame; a free arena top above it goes back.
  constexpr int kThreshold = 16 << 20;
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, kThreshold);
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, kThreshold);
#endif
}

void trim_freed_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace vw::streams
