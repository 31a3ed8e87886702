/* Calls colmax (test/axtranslate/c-status.axir) on a 2x4 array, then on a
   0x4 one, which its run-time check refuses: 'max' of an empty dim. */
#include <stdio.h>

int main(void) {
  float x[8] = {1, 5, 3, 4, 2, 6, 0, 8};
  float out[4] = {0, 0, 0, 0};
  int64_t status[16] = {0};
  axir_memref_2d_f32 in = {x, x, 0, {2, 4}, {4, 1}};
  axir_memref_1d_f32 o = {out, out, 0, {4}, {1}};
  axir_memref_1d_i64 st = {status, status, 0, {16}, {1}};
  _mlir_ciface_colmax(&in, &o, &st);
  printf("status %lld: %g %g %g %g\n", (long long)status[0], out[0], out[1], out[2], out[3]);
  in.sizes[0] = 0;
  out[0] = -1;
  _mlir_ciface_colmax(&in, &o, &st);
  printf("status %lld, value %lld, out[0] %g\n", (long long)status[0], (long long)status[1], out[0]);
  return 0;
}
