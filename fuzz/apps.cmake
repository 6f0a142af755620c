pg_add_fuzz_target(NAME image LIBS pangolin_app)
