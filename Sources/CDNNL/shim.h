// oneDNN's C API (Debian: libdnnl-dev puts dnnl.h on the default include path). Debian builds
// oneDNN on the OpenMP runtime (libgomp): its thread count is the calling thread's OpenMP
// nthreads setting, declared here rather than through omp.h, which clang does not ship.
#include <dnnl.h>
void omp_set_num_threads(int num_threads);
int omp_get_max_threads(void);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_in_parallel(void);
/// libgomp's entry for a parallel region (GCC's OpenMP ABI, stable since GCC 4.9: what
/// `#pragma omp parallel num_threads(n)` compiles to): runs fn(data) on a team of up to
/// num_threads threads, the caller being thread 0, and returns when all have finished.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
