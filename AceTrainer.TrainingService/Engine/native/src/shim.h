// C ABI of the AceTrainer libtorch shim. Every tensor crossing the boundary is an owned,
// heap-allocated at::Tensor* ("handle") that C# releases with ace_tensor_free.
// Functions returning int: 0 = success, non-zero = failure with ace_last_error() set.
#pragma once
#include <cstdint>

#define ACE_API extern "C" __attribute__((visibility("default")))

namespace at { class Tensor; }

enum AceTag : int32_t {
  ACE_TENSOR = 0,       // value.ptr: at::Tensor* (null = undefined/None)
  ACE_TENSOR_LIST = 1,  // value.ptr: at::Tensor*[length] (null entries allowed for Tensor?[])
  ACE_DOUBLE = 2,       // value.d
  ACE_INT = 3,          // value.i
  ACE_BOOL = 4,         // value.i != 0
  ACE_INT_LIST = 5,     // value.ptr: int64_t[length]
  ACE_DOUBLE_LIST = 6,  // value.ptr: double[length]
  ACE_NONE = 7,         // optional argument left empty
  ACE_SCALAR_TYPE = 8,  // value.i: c10::ScalarType
  ACE_DEVICE = 9,       // value.i: c10::DeviceType, length: device index (-1 = current)
  ACE_STRING = 10,      // value.ptr: NUL-terminated UTF-8
  ACE_DEFAULT = 11,     // use the schema's default value for this position
};

struct AceArg {
  int32_t tag;
  int32_t length;
  union {
    void* ptr;
    double d;
    int64_t i;
  } value;
  int64_t output_index;  // results only: position in the operator's return tuple
};
static_assert(sizeof(AceArg) == 24, "AceArg layout is shared with C#");

// Called back by activation checkpointing: compute the wrapped block on `inputs` (owned by the
// callee) and write up to `capacity` owned output handles. Returns 0 on success.
typedef int32_t (*AceBlockFn)(int64_t context, at::Tensor** inputs, int32_t count,
                              at::Tensor** outputs, int32_t capacity, int32_t* produced);

// internal helpers shared by the translation units
namespace ace {
void set_error(const char* message);
at::Tensor* own(at::Tensor&& tensor);
}  // namespace ace

#define ACE_GUARD_BEGIN try {
#define ACE_GUARD_END                                     \
  }                                                       \
  catch (const c10::Error& e) {                           \
    ace::set_error(e.what_without_backtrace());           \
    return 1;                                             \
  }                                                       \
  catch (const std::exception& e) {                       \
    ace::set_error(e.what());                             \
    return 1;                                             \
  }                                                       \
  catch (...) {                                           \
    ace::set_error("unknown native exception");           \
    return 1;                                             \
  }                                                       \
  return 0;
