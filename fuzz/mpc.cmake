pg_add_fuzz_target(NAME mpc_peer LIBS pg_mpc)
