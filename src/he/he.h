// pg_he: Pangolin's full-RNS CKKS engine (Cheon–Kim–Kim–Song; Cheon–Han–Kim–Kim–Song), with the
// operations PROTOCOL.md §3 (steps 2–4) needs. Include this header for everything.
//
// Objects and ownership
//   ParamsLiteral → make_params() → Params (immutable, with an id) → Context::create(): the
//   per-level chain, shared (ContextPtr) by every object of a session and by any number of
//   threads. Keys, encoders, encryptors, decryptors and evaluators are plain objects owned by
//   their session; no globals. Distinct objects may be used from distinct threads at once.
//
// The protocol's path (coefficient encoding, BFV-style masks in Z_{2^ℓ}):
//   client, once per session
//     SecretKey sk(ctx, prg);  PublicKey pk = KeyGenerator(ctx, sk).public_key(prg);
//     save_public_key(ctx, pk)                              → the server (seeded: half size)
//   client, step 2: encrypt the mask r at the top level
//     CoeffEncoder::encode_scaled(r, ell, level, pt)          round(Q·r/2^ℓ)
//     Encryptor(ctx, sk).encrypt_symmetric(pt, ct, prg)      seeded
//     save_ciphertext(ctx, ct)                                c0 + 32-byte seed
//   server, step 3
//     load_ciphertext(ctx, bytes)                             validated, Result<>
//     CoeffEncoder::encode_int(w, level, wpt)                 weights, NTT form (cache them)
//     Evaluator::inner_product_plain(cts, wpts, acc)          Σ ct·w, lazily reduced
//     CoeffEncoder::encode_scaled(t, ell, level, tpt); Evaluator::sub_plain_inplace(acc, tpt)
//     Encryptor(ctx, pk).encrypt_zero_flooded(level, b, z, prg); Evaluator::add_inplace(acc, z)
//     Evaluator::mod_switch_round_to_inplace(acc, 0 or 1)     divide-and-round, keeps ℓ-message
//     save_reply(ctx, acc, coeffs, drop_bits)                 c1 + chosen c0 coefficients
//   client, step 4
//     load_reply(ctx, bytes, coeffs, drop_bits); Decryptor::decrypt_reply(reply, x)
//     CoeffEncoder::decode_scaled(x, ell, coeffs)             round(2^ℓ·x/Q) mod 2^ℓ, exact
//   The CKKS-integer variant uses encode_int_scaled / decode_int_scaled (Δ = 2^k, exact
//   round(x/Δ) mod 2^64) in place of encode_scaled / decode_scaled.
//
// The rest of CKKS: CkksEncoder (N/2 complex slots), Encryptor::encrypt (public key),
// Evaluator (add, sub, negate, *_plain, multiply, relinearize, rescale_to_next,
// drop_to_level, rotate, conjugate, rotate_hoisted), MatVec (BSGS diagonal matrix × vector),
// RelinKeys / GaloisKeys (hybrid key switching over the special primes), and serialisation of
// every object (serialization.h). Decryptor::noise_log2 measures noise for tests.
#pragma once

#include "he/ciphertext.h"
#include "he/ckks_encoder.h"
#include "he/coeff_encoder.h"
#include "he/context.h"
#include "he/decryptor.h"
#include "he/encryptor.h"
#include "he/evaluator.h"
#include "he/keys.h"
#include "he/matvec.h"
#include "he/params.h"
#include "he/reply.h"
#include "he/serialization.h"
