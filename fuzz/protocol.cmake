pg_add_fuzz_target(NAME schedule LIBS pg_protocol)
