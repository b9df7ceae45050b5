// The system OpenSSL libcrypto, for SHA-256 (EVP digests use the processor's SHA extensions where it has them).
#include <openssl/evp.h>
