/* Calls @scale of c-interface.axir through its C interface; the header is
   given with -include. */
#include <stdio.h>

int main(void) {
  /* x = [[1, 2, 3], [4, 5, 6]] in Fortran order. */
  double x[6] = {1, 4, 2, 5, 3, 6};
  double out[6] = {0};
  axir_memref_2d_f64 xd = {x, x, 0, {2, 3}, {1, 2}};
  axir_memref_2d_f64 od = {out, out, 0, {2, 3}, {3, 1}};
  double sum = _mlir_ciface_scale(2.0, &xd, &od);
  for (int i = 0; i < 2; i++)
    printf("%g %g %g\n", x[i], x[i + 2], x[i + 4]);
  for (int i = 0; i < 2; i++)
    printf("%g %g %g\n", out[3 * i], out[3 * i + 1], out[3 * i + 2]);
  printf("sum %g\n", sum);
  return 0;
}
