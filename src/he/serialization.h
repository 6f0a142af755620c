// Serialisation of parameters, plaintexts, ciphertexts and keys, and validated loading.
//
// Every object starts with the magic "PGHE", a format version and a kind byte. Objects other than
// parameters carry the parameters' id and are loaded against a context: the id must match, levels
// and sizes must exist in that context, every residue must be below its prime, and the input must
// be consumed exactly. Payload sizes follow from the context, so they are checked against the
// remaining input before anything is allocated. Loaders return core::Result and never throw.
//
// Residues are bit-packed at the bit length of their prime (a ciphertext at N = 8192 over
// {60, 40, 40} bits takes 140 bits per coefficient instead of 192). Seeded objects carry 32-byte
// seeds in place of their uniform polynomials: a seeded ciphertext is c0 and the seed (half the
// size of a full one); public and switching keys are always sent seeded. A secret key is sent as
// its ternary coefficients, 2 bits each.
#pragma once

#include <span>

#include "core/bytes.h"
#include "core/result.h"
#include "he/ciphertext.h"
#include "he/context.h"
#include "he/keys.h"
#include "he/params.h"

namespace pg::he {

core::Bytes save_params(const Params& p);
core::Result<ParamsPtr> load_params(std::span<const uint8_t> bytes);

// A seeded ciphertext is written seeded unless `full` is set.
core::Bytes save_ciphertext(const Context& ctx, const Ciphertext& ct, bool full = false);
core::Result<Ciphertext> load_ciphertext(const Context& ctx, std::span<const uint8_t> bytes);
// The exact size save_ciphertext would produce, without serialising.
size_t ciphertext_bytes(const Context& ctx, size_t level, size_t size, bool seeded);

core::Bytes save_plaintext(const Context& ctx, const Plaintext& pt);
core::Result<Plaintext> load_plaintext(const Context& ctx, std::span<const uint8_t> bytes);

core::Bytes save_secret_key(const Context& ctx, const SecretKey& sk);
core::Result<SecretKey> load_secret_key(const ContextPtr& ctx, std::span<const uint8_t> bytes);

core::Bytes save_public_key(const Context& ctx, const PublicKey& pk);
core::Result<PublicKey> load_public_key(const Context& ctx, std::span<const uint8_t> bytes);

core::Bytes save_relin_keys(const Context& ctx, const RelinKeys& rk);
core::Result<RelinKeys> load_relin_keys(const Context& ctx, std::span<const uint8_t> bytes);

core::Bytes save_galois_keys(const Context& ctx, const GaloisKeys& gk);
core::Result<GaloisKeys> load_galois_keys(const Context& ctx, std::span<const uint8_t> bytes);

}  // namespace pg::he
