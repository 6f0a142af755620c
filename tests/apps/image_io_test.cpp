#include "image_io.h"

#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace pg::app {
namespace {

namespace fs = std::filesystem;

class ImageIo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pg_image_io_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    const auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  std::string write_idx(const std::string& name, uint32_t n, uint32_t h, uint32_t w, bool gz,
                        size_t drop = 0) {
    std::string s;
    auto be = [&](uint32_t v) {
      for (int i = 3; i >= 0; --i) s.push_back(char(v >> (8 * i)));
    };
    be(0x803);
    be(n);
    be(h);
    be(w);
    for (uint32_t i = 0; i < n * h * w; ++i) s.push_back(char(i % 251));
    s.resize(s.size() - drop);
    const auto p = (dir_ / name).string();
    if (gz) {
      gzFile f = gzopen(p.c_str(), "wb");
      gzwrite(f, s.data(), unsigned(s.size()));
      gzclose(f);
    } else {
      std::ofstream(p, std::ios::binary) << s;
    }
    return p;
  }
  fs::path dir_;
};

TEST_F(ImageIo, BinaryAsciiAnd16BitPgm) {
  auto img = load_pgm(write("a.pgm", std::string("P5\n# comment\n3 2\n255\n") +
                                         std::string("\x00\x33\x66\x99\xcc\xff", 6)));
  ASSERT_TRUE(img.ok()) << img.error().to_string();
  EXPECT_EQ(img.value().width, 3);
  EXPECT_EQ(img.value().height, 2);
  EXPECT_EQ(img.value().pixels, (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  auto ascii = load_pgm(write("b.pgm", "P2 2 1 4 1 4"));
  ASSERT_TRUE(ascii.ok());
  EXPECT_EQ(ascii.value().pixels, (std::vector<double>{0.25, 1.0}));
  auto wide = load_pgm(write("c.pgm", std::string("P5 1 1 1000\n") + std::string("\x01\xf4", 2)));
  ASSERT_TRUE(wide.ok());
  EXPECT_DOUBLE_EQ(wide.value().pixels[0], 0.5);
}

TEST_F(ImageIo, PngGrayAndRgbRoundTripThroughLibpng) {
  for (bool color : {false, true}) {
    png_image png{};
    png.version = PNG_IMAGE_VERSION;
    png.width = 4;
    png.height = 3;
    png.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    std::vector<uint8_t> px(PNG_IMAGE_SIZE(png));
    for (size_t i = 0; i < px.size(); ++i) px[i] = uint8_t(i * 7);
    const auto path = (dir_ / (color ? "rgb.png" : "g.png")).string();
    ASSERT_NE(png_image_write_to_file(&png, path.c_str(), 0, px.data(), 0, nullptr), 0);
    auto img = load_image(path);
    ASSERT_TRUE(img.ok()) << img.error().to_string();
    const int c = color ? 3 : 1;
    EXPECT_EQ(img.value().channels, c);
    // CHW from interleaved HWC.
    for (int ch = 0; ch < c; ++ch) {
      for (int p = 0; p < 12; ++p) {
        EXPECT_DOUBLE_EQ(img.value().pixels[size_t(ch) * 12 + p], px[size_t(p) * c + ch] / 255.0);
      }
    }
  }
}

TEST_F(ImageIo, IdxImagesPlainAndGzipWithIndex) {
  for (bool gz : {false, true}) {
    const auto p = write_idx(gz ? "i.idx.gz" : "i.idx", 3, 2, 2, gz);
    auto img = load_image(p + ":2");
    ASSERT_TRUE(img.ok()) << img.error().to_string();
    EXPECT_EQ(img.value().pixels,
              (std::vector<double>{8 / 255.0, 9 / 255.0, 10 / 255.0, 11 / 255.0}));
  }
}

TEST_F(ImageIo, ErrorsAreClear) {
  auto missing = load_image((dir_ / "none.png").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, core::ErrorCode::kIo);
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);

  auto not_png = load_image(write("x.png", "GIF89a......"));
  ASSERT_FALSE(not_png.ok());
  EXPECT_NE(not_png.error().message.find("is not a PNG file"), std::string::npos);

  auto bad_png = load_image(write("y.png", std::string("\x89PNG\r\n\x1a\n", 8) + "garbage"));
  ASSERT_FALSE(bad_png.ok());
  EXPECT_EQ(bad_png.error().code, core::ErrorCode::kMalformed);

  auto not_pgm = load_pgm(write("x.pgm", "P6 1 1 255 abc"));
  ASSERT_FALSE(not_pgm.ok());
  EXPECT_NE(not_pgm.error().message.find("is not a PGM file"), std::string::npos);

  auto huge = load_pgm(write("h.pgm", "P5 100000 100000 255\n"));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, core::ErrorCode::kTooLarge);
  EXPECT_NE(huge.error().message.find("claims 100000x100000 pixels"), std::string::npos);

  auto short_pgm = load_pgm(write("s.pgm", "P5 4 4 255\nab"));
  ASSERT_FALSE(short_pgm.ok());
  EXPECT_NE(short_pgm.error().message.find("ends before its last pixel"), std::string::npos);

  auto bad_header = load_pgm(write("b.pgm", "P5 4 x 255\n"));
  ASSERT_FALSE(bad_header.ok());
  EXPECT_NE(bad_header.error().message.find("malformed PGM header"), std::string::npos);

  auto above_max = load_pgm(write("m.pgm", "P2 1 1 10 11"));
  ASSERT_FALSE(above_max.ok());
  EXPECT_NE(above_max.error().message.find("above maxval"), std::string::npos);

  const auto idx = write_idx("t.idx", 3, 2, 2, false, 5);
  auto truncated = load_image(idx + ":0");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message.find("fewer images than it claims"), std::string::npos);

  const auto ok_idx = write_idx("o.idx", 3, 2, 2, false);
  auto out_of_range = load_image(ok_idx + ":3");
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_EQ(out_of_range.error().message,
            "image index 3 is out of range: '" + ok_idx + "' has 3 images");

  auto wrong_magic = load_idx_label(ok_idx, 0);
  ASSERT_FALSE(wrong_magic.ok());
  EXPECT_NE(wrong_magic.error().message.find("not an IDX1 label file"), std::string::npos);

  auto unknown = load_image("picture.bmp");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kUnsupported);
}

TEST(ImageShape, MismatchNamesBothShapes) {
  Image img{1, 32, 32, std::vector<double>(1024)};
  EXPECT_TRUE(check_image_shape(img, 1, 32, 32).ok());
  auto s = check_image_shape(img, 1, 28, 28);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "the image is 1x32x32 (CxHxW) but the model expects 1x28x28");
}

}  // namespace
}  // namespace pg::app
