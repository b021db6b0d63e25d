// encode_png / encode_jpeg decoded back with libpng / libjpeg, write_png on top of encode_png,
// and base64 against RFC 4648's vectors. No GL needed.
#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "renderer/image_codec.hpp"
#include "renderer/renderer.hpp"
#include "tests/support/image_decode.hpp"

namespace vw::renderer {
namespace {

constexpr std::uint32_t kQuadrants[4] = {0xE02010FF, 0x20C040FF, 0x3040E0FF, 0xF0F0F080};

// Four coloured quadrants (top-left, top-right, bottom-left, bottom-right); the last is
// half transparent so that PNG's alpha is checked too.
Image quadrants(int width, int height) {
  Image image;
  image.width = width;
  image.height = height;
  image.rgba.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const std::uint32_t c = kQuadrants[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)];
      auto* p = &image.rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                             static_cast<std::size_t>(x)) *
                            4];
      p[0] = static_cast<std::uint8_t>(c >> 24);
      p[1] = static_cast<std::uint8_t>(c >> 16);
      p[2] = static_cast<std::uint8_t>(c >> 8);
      p[3] = static_cast<std::uint8_t>(c);
    }
  }
  return image;
}

int channel(std::uint32_t pixel, int i) {
  return static_cast<int>((pixel >> (24 - 8 * i)) & 255);
}

TEST(EncodePng, DecodesToTheSamePixels) {
  for (auto [w, h] : {std::pair{64, 48}, std::pair{1, 1}, std::pair{333, 17}}) {
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    const Image image = quadrants(w, h);
    const auto bytes = encode_png(image);
    ASSERT_GT(bytes.size(), 8u);
    EXPECT_EQ(std::memcmp(bytes.data(), "\x89PNG\r\n\x1a\n", 8), 0);
    const Image back = decode_png(bytes);
    EXPECT_EQ(back.width, w);
    EXPECT_EQ(back.height, h);
    EXPECT_EQ(back.rgba, image.rgba);
  }
}

TEST(EncodePng, NoisyImageRoundTrips) {
  Image image;
  image.width = 301;
  image.height = 203;
  image.rgba.resize(301 * 203 * 4);
  std::mt19937 random(7);
  for (auto& b : image.rgba) b = static_cast<std::uint8_t>(random());
  EXPECT_EQ(decode_png(encode_png(image)).rgba, image.rgba);
}

TEST(EncodeJpeg, DecodesToCloseColours) {
  // Quadrant edges on 16-pixel boundaries (4:2:0 macroblocks); pixels next to an edge are
  // blurred by chroma upsampling, so only those at least 4 px from an edge are compared.
  const int w = 96, h = 64;
  const Image image = quadrants(w, h);
  for (int quality : {75, 90, 100}) {
    SCOPED_TRACE("quality " + std::to_string(quality));
    const auto bytes = encode_jpeg(image, quality);
    ASSERT_GT(bytes.size(), 4u);
    EXPECT_EQ(bytes[0], 0xFF);
    EXPECT_EQ(bytes[1], 0xD8);  // SOI
    EXPECT_EQ(bytes[bytes.size() - 2], 0xFF);
    EXPECT_EQ(bytes[bytes.size() - 1], 0xD9);  // EOI
    const Image back = decode_jpeg(bytes);
    ASSERT_EQ(back.width, w);
    ASSERT_EQ(back.height, h);
    int worst = 0;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        if (std::abs(x - w / 2) < 4 || std::abs(y - h / 2) < 4 || std::abs(x - w / 2 + 1) < 4 ||
            std::abs(y - h / 2 + 1) < 4)
          continue;
        for (int c = 0; c < 3; ++c)
          worst = std::max(worst,
                           std::abs(channel(back.pixel(x, y), c) - channel(image.pixel(x, y), c)));
      }
    }
    EXPECT_LE(worst, 8);
  }
  // Higher quality, more bytes.
  EXPECT_LT(encode_jpeg(image, 10).size(), encode_jpeg(image, 100).size());
}

TEST(EncodeJpeg, LargeOutputGrowsTheBuffer) {
  // Noise at quality 100 is far larger than the first 64 KiB output chunk.
  Image image;
  image.width = 640;
  image.height = 480;
  image.rgba.resize(640 * 480 * 4);
  std::mt19937 random(11);
  for (auto& b : image.rgba) b = static_cast<std::uint8_t>(random());
  const auto bytes = encode_jpeg(image, 100);
  EXPECT_GT(bytes.size(), 256u * 1024);
  const Image back = decode_jpeg(bytes);
  EXPECT_EQ(back.width, 640);
  EXPECT_EQ(back.height, 480);
}

TEST(ImageCodec, RefusesBadInput) {
  EXPECT_THROW(encode_png(Image{}), std::runtime_error);
  EXPECT_THROW(encode_jpeg(Image{}, 90), std::runtime_error);
  Image short_pixels = quadrants(8, 8);
  short_pixels.rgba.resize(8 * 8 * 4 - 1);
  EXPECT_THROW(encode_png(short_pixels), std::runtime_error);
  EXPECT_THROW(encode_jpeg(short_pixels, 90), std::runtime_error);
  const Image ok = quadrants(8, 8);
  EXPECT_THROW(encode_jpeg(ok, 0), std::runtime_error);
  EXPECT_THROW(encode_jpeg(ok, 101), std::runtime_error);
  // Past JPEG's 65500-pixel limit: libjpeg's own error comes back as an exception.
  Image wide;
  wide.width = 70000;
  wide.height = 1;
  wide.rgba.resize(70000 * 4);
  try {
    encode_jpeg(wide, 90);
    ADD_FAILURE() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("JPEG encoding failed"), std::string::npos) << e.what();
  }
  // And the encoder still works afterwards.
  EXPECT_NO_THROW(encode_jpeg(ok, 90));
}

TEST(WritePng, WritesWhatEncodePngMakes) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vw_image_codec_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "shot.png").string();
  const Image image = quadrants(40, 30);
  EXPECT_EQ(write_png(path, image), "");
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  EXPECT_EQ(bytes, encode_png(image));
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));
  const std::string error = write_png(path, Image{});
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("empty or malformed"), std::string::npos) << error;
  std::filesystem::remove_all(dir);
}

TEST(Base64, Rfc4648Vectors) {
  auto b64 = [](const std::string& s) {
    return base64_encode(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  };
  EXPECT_EQ(b64(""), "");
  EXPECT_EQ(b64("f"), "Zg==");
  EXPECT_EQ(b64("fo"), "Zm8=");
  EXPECT_EQ(b64("foo"), "Zm9v");
  EXPECT_EQ(b64("foob"), "Zm9vYg==");
  EXPECT_EQ(b64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(b64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(nullptr, 0), "");
  const std::uint8_t high[] = {0xFB, 0xFF, 0xBF};  // the last two alphabet letters
  EXPECT_EQ(base64_encode(high, 3), "+/+/");
}

}  // namespace
}  // namespace vw::renderer
