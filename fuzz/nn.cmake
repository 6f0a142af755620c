# The nn layer's parsers of untrusted bytes: the plan (architecture + weights) and ONNX models.
pg_add_fuzz_target(NAME plan LIBS pg_nn)
find_package(Protobuf REQUIRED)
find_package(ONNX REQUIRED)
pg_add_fuzz_target(NAME onnx_import LIBS pg_nn onnx_proto protobuf::libprotobuf)
# The seeds are built with the tests' ONNX model builder.
foreach(target onnx_import_replay onnx_import_fuzz)
  if(TARGET ${target})
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  endif()
endforeach()
