#include "renderer/image_codec.hpp"

#include <png.h>

#include <climits>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>

// jpeglib.h needs <cstdio> first, and jerror.h needs jpeglib.h.
// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#ifndef JCS_EXTENSIONS
#error "libjpeg-turbo is needed (JCS_EXT_RGBA input)"
#endif

namespace vw::renderer {
namespace {

// Both encoders read width * height * 4 bytes with a row stride that must fit an int.
void check_image(const Image& image) {
  const bool sized = image.width > 0 && image.height > 0 && image.width <= INT_MAX / 4;
  if (!sized || image.rgba.size() < static_cast<std::size_t>(image.width) *
                                        static_cast<std::size_t>(image.height) * 4) {
    throw std::runtime_error("image is empty or malformed (" + std::to_string(image.width) + "x" +
                             std::to_string(image.height) + ")");
  }
}

// ---- JPEG. libjpeg reports errors through error_exit, which must not return; C++ exceptions
// must not cross its C frames, so error_exit longjmps back to compress_jpeg() below.

struct JpegError {
  jpeg_error_mgr pub;  // first: libjpeg sees only this part
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_jpeg_error(j_common_ptr cinfo) {
  auto* error = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, error->message);
  std::longjmp(error->jump, 1);
}

void on_jpeg_message(j_common_ptr) {}  // warnings would go to stderr; the result is still valid

// Output into a std::vector that grows by doubling (jpeg_mem_dest's buffer would leak or dangle
// on an error midway).
struct VectorDestination {
  jpeg_destination_mgr pub;  // first: libjpeg sees only this part
  std::vector<std::uint8_t>* out;
};

constexpr std::size_t kJpegFirstChunk = 64 * 1024;

// Resizes the output to `size` and points libjpeg at the part from `used` on.
void resize_jpeg_output(j_compress_ptr cinfo, std::size_t used, std::size_t size) {
  auto* dest = reinterpret_cast<VectorDestination*>(cinfo->dest);
  bool ok = true;
  try {
    dest->out->resize(size);
  } catch (const std::bad_alloc&) {
    ok = false;
  }
  if (!ok) {  // outside the catch block: error_exit longjmps
    cinfo->err->msg_code = JERR_OUT_OF_MEMORY;
    (*cinfo->err->error_exit)(reinterpret_cast<j_common_ptr>(cinfo));
  }
  dest->pub.next_output_byte = dest->out->data() + used;
  dest->pub.free_in_buffer = size - used;
}

void init_jpeg_destination(j_compress_ptr cinfo) {
  resize_jpeg_output(cinfo, 0, kJpegFirstChunk);
}

boolean empty_jpeg_output(j_compress_ptr cinfo) {
  // Called when the whole buffer is full.
  const std::size_t used = reinterpret_cast<VectorDestination*>(cinfo->dest)->out->size();
  resize_jpeg_output(cinfo, used, used * 2);
  return TRUE;
}

void term_jpeg_destination(j_compress_ptr cinfo) {
  auto* dest = reinterpret_cast<VectorDestination*>(cinfo->dest);
  dest->out->resize(dest->out->size() - dest->pub.free_in_buffer);
}

// The part that may longjmp, in a frame of its own: no local here has a destructor or is read
// after the jump, and everything it fills lives in the caller.
[[gnu::noinline]] bool compress_jpeg(jpeg_compress_struct* cinfo, JpegError* error,
                                     VectorDestination* dest, const Image* image, int quality) {
  if (setjmp(error->jump) != 0) return false;
  jpeg_create_compress(cinfo);
  cinfo->dest = &dest->pub;
  cinfo->image_width = static_cast<JDIMENSION>(image->width);
  cinfo->image_height = static_cast<JDIMENSION>(image->height);
  cinfo->input_components = 4;
  cinfo->in_color_space = JCS_EXT_RGBA;  // libjpeg-turbo skips the alpha byte itself
  jpeg_set_defaults(cinfo);
  jpeg_set_quality(cinfo, quality, TRUE);
  jpeg_start_compress(cinfo, TRUE);
  const std::size_t stride = static_cast<std::size_t>(image->width) * 4;
  while (cinfo->next_scanline < cinfo->image_height) {
    // libjpeg's API is not const-correct; it only reads the rows.
    JSAMPROW row = const_cast<JSAMPLE*>(image->rgba.data() + cinfo->next_scanline * stride);
    jpeg_write_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_compress(cinfo);
  return true;
}

}  // namespace

std::vector<std::uint8_t> encode_png(const Image& image) {
  check_image(image);
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = PNG_FORMAT_RGBA;
  // The worst-case size up front: libpng then compresses once (asking for the size first would
  // compress twice).
  std::vector<std::uint8_t> out(PNG_IMAGE_PNG_SIZE_MAX(png));
  png_alloc_size_t size = out.size();
  const int ok = png_image_write_to_memory(&png, out.data(), &size, 0, image.rgba.data(),
                                           image.width * 4, nullptr);
  const std::string message = png.message;
  png_image_free(&png);
  if (ok == 0) throw std::runtime_error("PNG encoding failed: " + message);
  out.resize(size);
  return out;
}

std::vector<std::uint8_t> encode_jpeg(const Image& image, int quality) {
  check_image(image);
  if (quality < 1 || quality > 100)
    throw std::runtime_error("JPEG quality " + std::to_string(quality) + " is outside 1..100");
  std::vector<std::uint8_t> out;
  jpeg_compress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  JpegError error;
  std::memset(&error, 0, sizeof error);
  cinfo.err = jpeg_std_error(&error.pub);
  error.pub.error_exit = on_jpeg_error;
  error.pub.output_message = on_jpeg_message;
  VectorDestination dest;
  std::memset(&dest, 0, sizeof dest);
  dest.pub.init_destination = init_jpeg_destination;
  dest.pub.empty_output_buffer = empty_jpeg_output;
  dest.pub.term_destination = term_jpeg_destination;
  dest.out = &out;
  const bool ok = compress_jpeg(&cinfo, &error, &dest, &image, quality);
  jpeg_destroy_compress(&cinfo);  // safe after a failed create: it checks cinfo.mem
  if (!ok) throw std::runtime_error(std::string("JPEG encoding failed: ") + error.message);
  return out;
}

std::string base64_encode(const std::uint8_t* data, std::size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                            std::uint32_t{data[i + 2]};
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (const std::size_t rest = size - i; rest > 0) {
    std::uint32_t n = std::uint32_t{data[i]} << 16;
    if (rest == 2) n |= std::uint32_t{data[i + 1]} << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace vw::renderer
