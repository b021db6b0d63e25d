// PNG and JPEG decoded with libpng and libjpeg, for the tests and benchmarks that read back
// what the daemon encoded (snapshots, the codec's own tests). They throw std::runtime_error on a
// picture that does not decode.
// Threads: any (plain functions).
#pragma once

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

// jpeglib.h needs <cstdio> first.
// clang-format off
#include <jpeglib.h>
// clang-format on

#include "renderer/renderer.hpp"

namespace vw::renderer {

inline Image decode_png(const std::vector<std::uint8_t>& bytes) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
    throw std::runtime_error(std::string("PNG header: ") + png.message);
  png.format = PNG_FORMAT_RGBA;
  Image image;
  image.width = static_cast<int>(png.width);
  image.height = static_cast<int>(png.height);
  image.rgba.resize(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, image.rgba.data(), 0, nullptr))
    throw std::runtime_error(std::string("PNG data: ") + png.message);
  return image;
}

struct DecodeError {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
};

inline void on_decode_error(j_common_ptr cinfo) {
  std::longjmp(reinterpret_cast<DecodeError*>(cinfo->err)->jump, 1);
}

// Decodes into `out` (RGBA, alpha 255); false on a libjpeg error. The setjmp frame has no
// locals with destructors.
[[gnu::noinline]] inline bool decode_jpeg_into(const std::vector<std::uint8_t>* bytes, Image* out,
                                               jpeg_decompress_struct* cinfo, DecodeError* error) {
  if (setjmp(error->jump) != 0) return false;
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, bytes->data(), static_cast<unsigned long>(bytes->size()));
  jpeg_read_header(cinfo, TRUE);
  cinfo->out_color_space = JCS_EXT_RGBA;
  jpeg_start_decompress(cinfo);
  out->width = static_cast<int>(cinfo->output_width);
  out->height = static_cast<int>(cinfo->output_height);
  out->rgba.resize(static_cast<std::size_t>(out->width) * static_cast<std::size_t>(out->height) *
                   4);
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = out->rgba.data() + static_cast<std::size_t>(cinfo->output_scanline) *
                                          static_cast<std::size_t>(out->width) * 4;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

inline Image decode_jpeg(const std::vector<std::uint8_t>& bytes) {
  Image image;
  jpeg_decompress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  DecodeError error;
  std::memset(&error, 0, sizeof error);
  cinfo.err = jpeg_std_error(&error.pub);
  error.pub.error_exit = on_decode_error;
  const bool ok = decode_jpeg_into(&bytes, &image, &cinfo, &error);
  jpeg_destroy_decompress(&cinfo);
  if (!ok) throw std::runtime_error("JPEG decoding failed");
  return image;
}

}  // namespace vw::renderer
