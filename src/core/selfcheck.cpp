#include "core/selfcheck.h"

#include <array>
#include <cstring>

#include "core/aes.h"
#include "core/cpu.h"
#include "core/prg.h"
#include "core/thread_pool.h"

namespace pg::core {
namespace {

std::string hex(const uint8_t* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += kDigits[p[i] >> 4];
    s += kDigits[p[i] & 15];
  }
  return s;
}

CheckResult check_aes() {
  // FIPS-197 Appendix C.1: AES-128.
  std::array<uint8_t, 16> key, pt;
  for (int i = 0; i < 16; ++i) {
    key[i] = static_cast<uint8_t>(i);
    pt[i] = static_cast<uint8_t>(i * 0x11);
  }
  const std::string want = "69c4e0d86a7b0430d8cdb78070b4c55a";
  Aes128 aes(key);
  alignas(16) uint8_t out[16];
  _mm_store_si128(reinterpret_cast<Block*>(out),
                  aes.encrypt(_mm_loadu_si128(reinterpret_cast<const Block*>(pt.data()))));
  const std::string got = hex(out, 16);
  return {"AES-128 known answer (FIPS-197 C.1)", got == want, got};
}

CheckResult check_prg() {
  // SP 800-38A F.5.1: the CTR-AES128 keystream is ciphertext XOR plaintext.
  const uint8_t key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                           0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
  const uint8_t pt[16] = {0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
                          0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a};
  const std::string want = "874d6191b620e3261bef6864990db6ce";
  Seed seed{};
  std::memcpy(seed.data(), key, 16);
  for (int i = 0; i < 16; ++i) seed[16 + i] = static_cast<uint8_t>(0xf0 + i);
  Prg prg = Prg::from_seed(seed);
  uint8_t ks[16];
  prg.fill(ks);
  for (int i = 0; i < 16; ++i) ks[i] ^= pt[i];
  const std::string got = hex(ks, 16);
  return {"PRG AES-128-CTR known answer (SP 800-38A F.5.1)", got == want, got};
}

}  // namespace

std::vector<CheckResult> run_selfcheck() {
  std::vector<CheckResult> out;
  const CpuFeatures f = detect_cpu();
  const std::string missing = missing_cpu_features(f);
  std::string have = std::string("AVX2 FMA AES-NI PCLMUL BMI2") + (f.vaes ? " VAES" : "") +
                     (f.avx512f ? " AVX-512F" : "");
  out.push_back({"CPU features", missing.empty(), missing.empty() ? have : "missing " + missing});
  out.push_back(check_aes());
  out.push_back(check_prg());
  Prg os = Prg::from_os();
  const uint64_t a = os.next_u64(), b = os.next_u64();
  out.push_back({"OS randomness (getrandom)", a != b, "two draws differ"});
  out.push_back(
      {"threads", true,
       std::to_string(num_threads()) + " of " + std::to_string(hardware_threads()) + " cores"});
  return out;
}

}  // namespace pg::core
