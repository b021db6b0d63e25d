// glibc's allocator, bounded for a process whose streaming threads come and go with every
// pipeline rebuild (the daemon, and benchmarks that measure it in process).
//
// By default glibc puts each new thread on one of up to 8 x cores arenas, and after the first
// large free() raises the mmap threshold to the largest block freed (decoded frames, scaled
// tiles: MBs) and the trim threshold to twice that, so every arena keeps tens of MB of freed
// memory resident. Each rebuild's new threads spread a pipeline's frame buffers over all arenas:
// RSS grew by 0.5-2 MB per rebuild for hundreds of rebuilds and never settled (4 cameras, the
// camera server killed and restarted; measured with heaptrack: no leak, 62 MB in use of 244 MB
// taken by 16 arenas). Two arenas and fixed 16 MB thresholds keep it flat; trim_freed_memory()
// after a teardown gives the pipeline's freed pages back.
//
// Threads: bound_allocator() first thing in main, before any thread starts; trim_freed_memory()
// from any thread (it walks the arenas: not on the render thread).
#pragma once

namespace vw::streams {

// Sets the bounds, except where the operator set MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_,
// MALLOC_TRIM_THRESHOLD_ or GLIBC_TUNABLES. Without glibc: nothing.
void bound_allocator();

// Returns free memory at the top and inside the arenas to the system (malloc_trim).
void trim_freed_memory();

}  // namespace vw::streams
