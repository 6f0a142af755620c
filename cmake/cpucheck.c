/* Prints the missing features and exits 1, or exits 0 when all are present. */
#include <cpuid.h>
#include <stdio.h>

int main(void) {
  unsigned a, b, c, d;
  int missing = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) {
    puts("cpuid");
    return 1;
  }
  if (!(c & bit_AES)) {
    fputs("AES-NI ", stdout);
    missing = 1;
  }
  if (!(c & bit_FMA)) {
    fputs("FMA ", stdout);
    missing = 1;
  }
  if (!(c & bit_PCLMUL)) {
    fputs("PCLMUL ", stdout);
    missing = 1;
  }
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    puts("cpuid-7");
    return 1;
  }
  if (!(b & bit_AVX2)) {
    fputs("AVX2 ", stdout);
    missing = 1;
  }
  if (!(b & bit_BMI2)) {
    fputs("BMI2 ", stdout);
    missing = 1;
  }
  return missing;
}
