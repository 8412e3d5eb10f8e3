// advise(buffer, span): asks Linux to back [buffer, buffer + span) with transparent huge
// pages (madvise MADV_HUGEPAGE), on the 2 MiB-aligned part of it. Returns 0, or the errno.
//
// Why: the kernel's state at 10^7 customers is ~1 GiB touched at random. In 4 KiB pages
// every first touch is a page fault (~10 us each on a paravirtualized machine) and most
// touches a TLB miss; THP is "madvise" by default on Debian, so memory gets 2 MiB pages
// only when it asks, and neither V8 nor Node asks (bench/NOTES.md, section 40). A hint:
// with THP "never" it changes nothing, and nothing else about the memory changes.
#include <errno.h>
#include <stdbool.h>
#include <node_api.h>
#include <stdint.h>
#include <sys/mman.h>

#define HUGE ((uintptr_t)2 << 20)

static napi_value advise(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  void *data = NULL;
  size_t length = 0;
  double span = 0;
  bool view = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      (napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok &&
       // a view: the only way N-API (Node 20) reaches a SharedArrayBuffer's memory
       (napi_is_typedarray(env, argv[0], &view) != napi_ok || !view ||
        napi_get_typedarray_info(env, argv[0], NULL, NULL, &data, NULL, NULL) != napi_ok)) ||
      napi_get_value_double(env, argv[1], &span) != napi_ok || span < 0) {
    napi_throw_type_error(env, NULL, "advise(buffer: ArrayBuffer | TypedArray, span: number)");
    return NULL;
  }
  uintptr_t start = ((uintptr_t)data + HUGE - 1) & ~(HUGE - 1);
  uintptr_t end = ((uintptr_t)data + (uintptr_t)span) & ~(HUGE - 1);
  int result = end > start && madvise((void *)start, end - start, MADV_HUGEPAGE) != 0 ? errno : 0;
  napi_value out;
  napi_create_int32(env, result, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "advise", NAPI_AUTO_LENGTH, advise, NULL, &fn);
  napi_set_named_property(env, exports, "advise", fn);
  return exports;
}
