#include "core/aes.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>

#include "test_util.h"

namespace pg::core {
namespace {

using pg::test::from_hex;
using pg::test::to_hex;

Block load(const std::vector<uint8_t>& v) {
  return _mm_loadu_si128(reinterpret_cast<const Block*>(v.data()));
}

std::string hex_of(Block b) {
  uint8_t out[16];
  _mm_storeu_si128(reinterpret_cast<Block*>(out), b);
  return to_hex(out, 16);
}

// FIPS-197 Appendix C.1 (AES-128).
TEST(Aes128, Fips197AppendixC1) {
  const auto key = from_hex("000102030405060708090a0b0c0d0e0f");
  Aes128 aes(std::span<const uint8_t, 16>(key.data(), 16));
  EXPECT_EQ(hex_of(aes.encrypt(load(from_hex("00112233445566778899aabbccddeeff")))),
            "69c4e0d86a7b0430d8cdb78070b4c55a");
}

// FIPS-197 Appendix B (the cipher example).
TEST(Aes128, Fips197AppendixB) {
  const auto key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  Aes128 aes(std::span<const uint8_t, 16>(key.data(), 16));
  EXPECT_EQ(hex_of(aes.encrypt(load(from_hex("3243f6a8885a308d313198a2e0370734")))),
            "3925841d02dc09fbdc118597196a0b32");
}

// SP 800-38A F.1.1, ECB-AES128: four blocks, also through the 8-lane batch path.
TEST(Aes128, Sp80038aEcbAllBlocksAndBatchAgree) {
  const auto key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  Aes128 aes(std::span<const uint8_t, 16>(key.data(), 16));
  const char* pts[4] = {"6bc1bee22e409f96e93d7e117393172a", "ae2d8a571e03ac9c9eb76fac45af8e51",
                        "30c81c46a35ce411e5fbc1191a0a52ef", "f69f2445df4f9b17ad2b417be66c3710"};
  const char* cts[4] = {"3ad77bb40d7a3660a89ecaf32466ef97", "f5d3d58503b9699de785895a96fdbaaf",
                        "43b1cd7f598ece23881b00e3ed030688", "7b0c785e27e8ad3f8223207104725dd4"};
  std::array<Block, 12> batch;
  for (size_t i = 0; i < batch.size(); ++i) batch[i] = load(from_hex(pts[i % 4]));
  aes.encrypt_blocks(batch.data(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(hex_of(batch[i]), cts[i % 4]) << "block " << i;
    EXPECT_EQ(hex_of(aes.encrypt(load(from_hex(pts[i % 4])))), cts[i % 4]);
  }
}

}  // namespace
}  // namespace pg::core
