// OpenBLAS's CBLAS interface (Debian: libopenblas-dev puts cblas.h on the default include path).
#include <cblas.h>
