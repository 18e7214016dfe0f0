// oneDNN's C API (Debian: libdnnl-dev puts dnnl.h on the default include path). Debian builds
// oneDNN on the OpenMP runtime (libgomp): its thread count is the calling thread's OpenMP
// nthreads setting, declared here rather than through omp.h, which clang does not ship.
#include <dnnl.h>
void omp_set_num_threads(int num_threads);
int omp_get_max_threads(void);
