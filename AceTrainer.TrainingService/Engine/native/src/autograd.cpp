// What the dispatcher cannot give: backward, gradients, grad mode, seeds, threads, devices,
// memory statistics and activation checkpointing (a custom autograd function that calls
// back into C# to recompute a block during backward).
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

#ifdef ACE_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include <mutex>

#include "shim.h"

ACE_API void ace_tensor_free(at::Tensor* tensor);

thread_local std::string callback_error;

ACE_API int32_t ace_backward(at::Tensor* root, at::Tensor* gradient, int32_t retain_graph,
                             int32_t create_graph) {
  ACE_GUARD_BEGIN
  torch::autograd::variable_list grads;
  if (gradient) grads.push_back(*gradient);
  torch::autograd::backward({*root}, grads, static_cast<bool>(retain_graph), create_graph != 0);
  ACE_GUARD_END
}

// Writes a new handle to the gradient, or null when the tensor has none.
ACE_API at::Tensor* ace_tensor_grad(at::Tensor* t) {
  const auto& grad = t->grad();
  return grad.defined() ? ace::own(at::Tensor(grad)) : nullptr;
}

ACE_API int32_t ace_tensor_set_grad(at::Tensor* t, at::Tensor* grad) {
  ACE_GUARD_BEGIN
  t->mutable_grad() = grad ? *grad : at::Tensor();
  ACE_GUARD_END
}

ACE_API int32_t ace_tensor_set_requires_grad(at::Tensor* t, int32_t requires) {
  ACE_GUARD_BEGIN
  t->set_requires_grad(requires != 0);
  ACE_GUARD_END
}
ACE_API int32_t ace_tensor_requires_grad(at::Tensor* t) { return t->requires_grad() ? 1 : 0; }
ACE_API int32_t ace_tensor_is_leaf(at::Tensor* t) { return t->is_leaf() ? 1 : 0; }

ACE_API int32_t ace_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }
ACE_API void ace_set_grad_enabled(int32_t enabled) { c10::GradMode::set_enabled(enabled != 0); }

ACE_API void ace_manual_seed(uint64_t seed) { at::manual_seed(seed); }
ACE_API void ace_set_num_threads(int32_t threads) { at::set_num_threads(threads); }
ACE_API int32_t ace_get_num_threads() { return at::get_num_threads(); }

ACE_API int32_t ace_cuda_is_available() { return at::hasCUDA() ? 1 : 0; }
ACE_API int32_t ace_cuda_device_count() { return at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0; }

// out: allocated current, allocated peak, reserved current, reserved peak (bytes).
ACE_API int32_t ace_cuda_memory_stats(int32_t device, int64_t* out) {
  ACE_GUARD_BEGIN
#ifdef ACE_WITH_CUDA
  TORCH_CHECK(at::hasCUDA(), "CUDA is not available");
  auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device);
  out[0] = stats.allocated_bytes[0].current;
  out[1] = stats.allocated_bytes[0].peak;
  out[2] = stats.reserved_bytes[0].current;
  out[3] = stats.reserved_bytes[0].peak;
#else
  TORCH_CHECK(false, "this shim was built without CUDA; memory statistics are unavailable");
#endif
  ACE_GUARD_END
}

// Lets a C# callback report why it failed; the message surfaces as the c10::Error text.
ACE_API void ace_set_callback_error(const char* message) { callback_error = message ? message : ""; }

namespace {
torch::autograd::variable_list run_block(AceBlockFn fn, int64_t context,
                                         const torch::autograd::variable_list& inputs) {
  std::vector<at::Tensor*> in;
  in.reserve(inputs.size());
  for (const auto& x : inputs) in.push_back(ace::own(at::Tensor(x)));
  constexpr int32_t capacity = 64;
  at::Tensor* out[capacity] = {};
  int32_t produced = 0;
  callback_error.clear();
  int32_t rc = fn(context, in.data(), static_cast<int32_t>(in.size()), out, capacity, &produced);
  torch::autograd::variable_list outputs;
  for (int32_t k = 0; k < produced; ++k) {
    outputs.push_back(*out[k]);
    ace_tensor_free(out[k]);
  }
  TORCH_CHECK(rc == 0, "checkpointed block failed: ", callback_error);
  return outputs;
}

// Recomputation must see the same random numbers (dropout) as the first forward pass.
at::Tensor cpu_rng_state() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}
void set_cpu_rng_state(const at::Tensor& state) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

struct CheckpointFunction : public torch::autograd::Function<CheckpointFunction> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx,
                                                at::TensorList input_list, int64_t fn,
                                                int64_t context) {
    torch::autograd::variable_list inputs = input_list.vec();
    ctx->saved_data["fn"] = fn;
    ctx->saved_data["context"] = context;
    ctx->saved_data["rng"] = cpu_rng_state();
    ctx->save_for_backward(inputs);
    return run_block(reinterpret_cast<AceBlockFn>(fn), context, inputs);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto fn = reinterpret_cast<AceBlockFn>(ctx->saved_data["fn"].toInt());
    auto context = ctx->saved_data["context"].toInt();
    torch::autograd::variable_list inputs;
    for (const auto& saved : ctx->get_saved_variables()) {
      auto x = saved.detach();
      x.set_requires_grad(saved.requires_grad());
      inputs.push_back(x);
    }
    auto rng_now = cpu_rng_state();
    set_cpu_rng_state(ctx->saved_data["rng"].toTensor());
    torch::autograd::variable_list outputs;
    {
      at::AutoGradMode enable(true);
      outputs = run_block(fn, context, inputs);
    }
    set_cpu_rng_state(rng_now);
    torch::autograd::variable_list roots, grads;
    for (size_t k = 0; k < outputs.size() && k < grad_outputs.size(); ++k) {
      if (outputs[k].requires_grad() && grad_outputs[k].defined()) {
        roots.push_back(outputs[k]);
        grads.push_back(grad_outputs[k]);
      }
    }
    if (!roots.empty()) torch::autograd::backward(roots, grads);
    torch::autograd::variable_list input_grads;
    for (const auto& x : inputs) input_grads.push_back(x.requires_grad() ? x.grad() : at::Tensor());
    input_grads.push_back(at::Tensor());  // fn
    input_grads.push_back(at::Tensor());  // context
    return input_grads;
  }
};
}  // namespace

// Runs `fn` on `inputs` without keeping its activations; backward recomputes it with grad.
ACE_API int32_t ace_checkpoint(AceBlockFn fn, int64_t context, at::Tensor** inputs, int32_t count,
                               at::Tensor** outputs, int32_t capacity, int32_t* produced) {
  *produced = 0;
  ACE_GUARD_BEGIN
  torch::autograd::variable_list in;
  for (int32_t k = 0; k < count; ++k) in.push_back(*inputs[k]);
  // passed as TensorList so the autograd function sees every element as a differentiable input
  auto out = CheckpointFunction::apply(at::TensorList(in), reinterpret_cast<int64_t>(fn), context);
  TORCH_CHECK(static_cast<int32_t>(out.size()) <= capacity, "too many checkpoint outputs");
  for (size_t k = 0; k < out.size(); ++k) outputs[k] = ace::own(std::move(out[k]));
  *produced = static_cast<int32_t>(out.size());
  ACE_GUARD_END
}
