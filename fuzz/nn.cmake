# The nn layer's parsers of untrusted bytes: the plan (architecture + weights) and ONNX models.
pg_add_fuzz_target(NAME plan LIBS pg_nn)
