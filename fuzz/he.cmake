# The CKKS engine's parsers of untrusted bytes: ciphertexts (full and seeded), plaintexts,
# parameters, keys and compact replies.
pg_add_fuzz_target(NAME he_ciphertext LIBS pg_he)
