// Tensor handles, tensor metadata, host copies and the one generic operator entry point:
// any aten:: operator is called by (name, overload) through the c10 dispatcher with boxed
// arguments, so autograd, device dispatch and every backend apply as they do for Python.
#include <ATen/EmptyTensor.h>
#include <ATen/core/Tensor.h>
#include <ATen/core/dispatch/Dispatcher.h>

#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "shim.h"

namespace {
std::atomic<int64_t> live_tensors{0};
thread_local std::string last_error;

at::Tensor& T(void* handle) { return *static_cast<at::Tensor*>(handle); }

bool is_optional_tensor_list(const c10::TypePtr& type) {
  auto list = type->cast<c10::ListType>();
  return list && list->getElementType()->kind() == c10::TypeKind::OptionalType;
}

c10::IValue to_ivalue(const AceArg& arg, const c10::Argument& formal) {
  switch (arg.tag) {
    case ACE_TENSOR:
      return arg.value.ptr ? c10::IValue(T(arg.value.ptr)) : c10::IValue();
    case ACE_TENSOR_LIST: {
      auto** items = static_cast<at::Tensor**>(arg.value.ptr);
      if (is_optional_tensor_list(formal.type())) {
        c10::List<c10::optional<at::Tensor>> list;
        for (int32_t k = 0; k < arg.length; ++k)
          list.push_back(items[k] ? c10::optional<at::Tensor>(*items[k]) : c10::nullopt);
        return list;
      }
      c10::List<at::Tensor> list;
      list.reserve(arg.length);
      for (int32_t k = 0; k < arg.length; ++k) list.push_back(*items[k]);
      return list;
    }
    case ACE_DOUBLE:
      return arg.value.d;
    case ACE_INT:
      return arg.value.i;
    case ACE_BOOL:
      return arg.value.i != 0;
    case ACE_INT_LIST: {
      auto* p = static_cast<const int64_t*>(arg.value.ptr);
      return std::vector<int64_t>(p, p + arg.length);
    }
    case ACE_DOUBLE_LIST: {
      auto* p = static_cast<const double*>(arg.value.ptr);
      return std::vector<double>(p, p + arg.length);
    }
    case ACE_NONE:
      return c10::IValue();
    case ACE_SCALAR_TYPE:
      return arg.value.i;  // the boxed calling convention stores ScalarType as int
    case ACE_DEVICE:
      return c10::Device(static_cast<c10::DeviceType>(arg.value.i),
                         static_cast<c10::DeviceIndex>(arg.length));
    case ACE_STRING:
      return std::string(static_cast<const char*>(arg.value.ptr));
    case ACE_DEFAULT:
      if (!formal.default_value())
        throw std::invalid_argument("argument '" + formal.name() + "' has no default value");
      return *formal.default_value();
  }
  throw std::invalid_argument("unknown argument tag " + std::to_string(arg.tag));
}

void emit(const c10::IValue& value, int64_t index, AceArg* results, int32_t capacity,
          int32_t& count) {
  auto push = [&](AceArg out) {
    if (count >= capacity) throw std::length_error("operator returned more values than the result buffer holds");
    out.output_index = index;
    results[count++] = out;
  };
  if (value.isTensor()) {
    const auto& t = value.toTensor();
    if (t.defined()) push({ACE_TENSOR, 0, {ace::own(at::Tensor(t))}, 0});
    else push({ACE_NONE, 0, {nullptr}, 0});
  } else if (value.isTensorList()) {
    for (const at::Tensor& t : value.toTensorList()) push({ACE_TENSOR, 0, {ace::own(at::Tensor(t))}, 0});
  } else if (value.isDouble()) {
    AceArg out{ACE_DOUBLE, 0, {nullptr}, 0};
    out.value.d = value.toDouble();
    push(out);
  } else if (value.isInt()) {
    AceArg out{ACE_INT, 0, {nullptr}, 0};
    out.value.i = value.toInt();
    push(out);
  } else if (value.isBool()) {
    AceArg out{ACE_BOOL, 0, {nullptr}, 0};
    out.value.i = value.toBool() ? 1 : 0;
    push(out);
  } else if (value.isNone()) {
    push({ACE_NONE, 0, {nullptr}, 0});
  } else if (value.isTuple()) {
    for (const auto& element : value.toTupleRef().elements()) emit(element, index, results, capacity, count);
  } else {
    throw std::invalid_argument("unsupported return type " + value.tagKind());
  }
}
}  // namespace

namespace ace {
void set_error(const char* message) { last_error = message ? message : "unknown error"; }
at::Tensor* own(at::Tensor&& tensor) {
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(tensor));
}
}  // namespace ace

ACE_API const char* ace_last_error() { return last_error.c_str(); }
ACE_API int64_t ace_live_tensors() { return live_tensors.load(std::memory_order_relaxed); }

ACE_API void ace_tensor_free(at::Tensor* tensor) {
  if (!tensor) return;
  delete tensor;
  live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

// A second handle to the same tensor (same storage, same autograd identity).
ACE_API at::Tensor* ace_tensor_alias(at::Tensor* tensor) { return ace::own(at::Tensor(*tensor)); }

// Returns a c10::OperatorHandle* that lives as long as the process, or null when libtorch
// has no such schema (how optional operators are detected at start-up).
ACE_API void* ace_op_find(const char* name, const char* overload) {
  try {
    auto op = c10::Dispatcher::singleton().findSchema({name, overload});
    if (!op) return nullptr;
    return new c10::OperatorHandle(*op);
  } catch (...) {
    return nullptr;
  }
}

ACE_API int32_t ace_op_schema(void* op, char* buffer, int32_t capacity) {
  auto text = c10::toString(static_cast<c10::OperatorHandle*>(op)->schema());
  std::strncpy(buffer, text.c_str(), capacity);
  if (capacity > 0) buffer[capacity - 1] = 0;
  return static_cast<int32_t>(text.size());
}

ACE_API int32_t ace_op_call(void* op_handle, const AceArg* args, int32_t nargs, AceArg* results,
                            int32_t capacity, int32_t* nresults) {
  *nresults = 0;
  int32_t count = 0;
  ACE_GUARD_BEGIN
  const auto& op = *static_cast<c10::OperatorHandle*>(op_handle);
  const auto& formals = op.schema().arguments();
  if (static_cast<size_t>(nargs) > formals.size())
    throw std::invalid_argument(op.schema().name() + ": too many arguments");
  torch::jit::Stack stack;
  stack.reserve(formals.size());
  for (size_t k = 0; k < formals.size(); ++k) {
    if (k < static_cast<size_t>(nargs)) {
      stack.push_back(to_ivalue(args[k], formals[k]));
    } else {
      AceArg fallback{ACE_DEFAULT, 0, {nullptr}, 0};
      stack.push_back(to_ivalue(fallback, formals[k]));
    }
  }
  op.callBoxed(&stack);
  try {
    for (size_t k = 0; k < stack.size(); ++k) emit(stack[k], static_cast<int64_t>(k), results, capacity, count);
  } catch (...) {
    for (int32_t k = 0; k < count; ++k)
      if (results[k].tag == ACE_TENSOR) ace_tensor_free(static_cast<at::Tensor*>(results[k].value.ptr));
    throw;
  }
  *nresults = count;
  ACE_GUARD_END
}

ACE_API int32_t ace_tensor_dim(at::Tensor* t) { return static_cast<int32_t>(t->dim()); }
ACE_API void ace_tensor_sizes(at::Tensor* t, int64_t* out) {
  for (int64_t k = 0; k < t->dim(); ++k) out[k] = t->size(k);
}
ACE_API void ace_tensor_strides(at::Tensor* t, int64_t* out) {
  for (int64_t k = 0; k < t->dim(); ++k) out[k] = t->stride(k);
}
ACE_API int32_t ace_tensor_dtype(at::Tensor* t) { return static_cast<int32_t>(t->scalar_type()); }
ACE_API void ace_tensor_device(at::Tensor* t, int32_t* type, int32_t* index) {
  *type = static_cast<int32_t>(t->device().type());
  *index = t->device().index();
}
ACE_API int64_t ace_tensor_numel(at::Tensor* t) { return t->numel(); }
ACE_API int32_t ace_tensor_is_contiguous(at::Tensor* t) { return t->is_contiguous() ? 1 : 0; }
ACE_API void* ace_tensor_data_ptr(at::Tensor* t) { return t->data_ptr(); }

// Copies a contiguous CPU tensor's bytes out; C# moves other tensors to a contiguous CPU copy first.
ACE_API int32_t ace_tensor_copy_to_host(at::Tensor* t, void* destination, int64_t nbytes) {
  ACE_GUARD_BEGIN
  TORCH_CHECK(t->device().is_cpu() && t->is_contiguous(), "copy_to_host needs a contiguous CPU tensor");
  TORCH_CHECK(static_cast<int64_t>(t->nbytes()) == nbytes, "byte count mismatch: tensor has ", t->nbytes(), ", buffer ", nbytes);
  std::memcpy(destination, t->data_ptr(), nbytes);
  ACE_GUARD_END
}

ACE_API int32_t ace_tensor_from_host(const void* source, int64_t nbytes, int32_t dtype,
                                     const int64_t* shape, int32_t ndim, at::Tensor** out) {
  *out = nullptr;
  ACE_GUARD_BEGIN
  auto options = c10::TensorOptions().dtype(static_cast<c10::ScalarType>(dtype));
  at::Tensor t(at::detail::empty_cpu(c10::IntArrayRef(shape, ndim), options));
  TORCH_CHECK(static_cast<int64_t>(t.nbytes()) == nbytes, "byte count mismatch: shape needs ", t.nbytes(), ", buffer has ", nbytes);
  if (nbytes > 0) std::memcpy(t.data_ptr(), source, nbytes);
  *out = ace::own(std::move(t));
  ACE_GUARD_END
}
