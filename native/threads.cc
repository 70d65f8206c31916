// The persistent thread pool and the per-thread scratch arena.
//
// One pool per process, created on first use with numThreads() - 1 workers (the calling thread is
// the other one). A parallel region publishes a job (function, context, task count) under a
// 64-bit `state` (generation, task count, next task); threads claim tasks by compare-and-swap,
// so a thread that wakes late can never run a task of a newer job with an older job's fields.
// After a region, workers spin briefly (the next step of a recurrent kernel usually follows within
// microseconds), then sleep on a condition variable, so an idle process burns no CPU.
// The pool is never destroyed: it lives until the process exits (joining in a static destructor
// would race with Node's shutdown).
//
// Resizing (setNumThreads) starts or stops only the difference: worker i runs while i < `limit`.
// When the system refuses a thread part-way (a process or memory limit), the workers this call
// started are stopped and joined, and the call throws: the pool keeps its previous workers and
// stays usable. The first region of a pool never sized by setNumThreads starts the default count,
// and keeps what it got if the system refuses some (parallelism is an optimisation there, and no
// caller could be told).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>
#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define TL_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define TL_PAUSE() __asm__ __volatile__("yield")
#else
#define TL_PAUSE() ((void)0)
#endif

#include "common.h"

namespace tl {
namespace {

// Spin this long after a region before sleeping.
constexpr auto kSpin = std::chrono::microseconds(100);

int machineThreads() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? (int)n : 1;
}

// TORCHLET_NUM_THREADS or OMP_NUM_THREADS when it is a whole positive number (at most
// kMaxThreads), else the CPUs this process may run on.
int defaultThreads() {
  for (const char* name : {"TORCHLET_NUM_THREADS", "OMP_NUM_THREADS"}) {
    const char* v = std::getenv(name);
    if (!v || !*v) continue;
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (*end == '\0' && n > 0) return n < kMaxThreads ? (int)n : kMaxThreads;
  }
  const int m = machineThreads();
  return m < kMaxThreads ? m : kMaxThreads;
}

struct Pool {
  std::mutex busy;  // held by the thread running a parallel region, or resizing the pool
  std::vector<std::thread> workers;  // workers[i] runs loop(i) while i < limit
  std::atomic<int> wanted{defaultThreads()};  // threads including the caller
  bool started = false;  // workers were started for `wanted` (by the first region or setNumThreads)
  std::atomic<int> limit{0};

  // The job. `state` packs generation (24 bits) | task count (20 bits) | next task (20 bits), so
  // a claim checks the generation and the count it belongs to in one atomic compare-and-swap.
  std::atomic<void (*)(void*, int)> fn{nullptr};
  std::atomic<void*> ctx{nullptr};
  std::atomic<uint64_t> state{0};
  std::atomic<int> done{0};

  std::mutex m;
  std::condition_variable cv;
  std::atomic<int> sleepers{0};

  static uint32_t gen(uint64_t s) { return (uint32_t)(s >> 40); }
  static int count(uint64_t s) { return (int)((s >> 20) & 0xfffff); }
  static int next(uint64_t s) { return (int)(s & 0xfffff); }

  // Claims and runs tasks of generation g until none is left. fn and ctx, read after seeing g,
  // belong to g whenever a claim of g succeeds (a newer job is only published once g is done).
  void work(uint32_t g) {
    void (*f)(void*, int) = fn.load(std::memory_order_relaxed);
    void* c = ctx.load(std::memory_order_relaxed);
    uint64_t s = state.load(std::memory_order_acquire);
    for (;;) {
      if (gen(s) != g || next(s) >= count(s)) return;
      if (state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        f(c, next(s));
        done.fetch_add(1, std::memory_order_release);
        s = state.load(std::memory_order_acquire);
      }
    }
  }

  bool stopped(int idx) const { return idx >= limit.load(std::memory_order_acquire); }

  void loop(int idx) {
    uint32_t seen = gen(state.load(std::memory_order_acquire));
    for (;;) {
      uint32_t g = gen(state.load(std::memory_order_acquire));
      if (g == seen) {
        const auto until = std::chrono::steady_clock::now() + kSpin;
        for (int i = 0; g == seen && !stopped(idx); i++) {
          if (i < 2000) TL_PAUSE();
          else std::this_thread::yield();  // spin politely: other processes may need the core
          g = gen(state.load(std::memory_order_acquire));
          if ((i & 255) == 255 && std::chrono::steady_clock::now() > until) break;
        }
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lk(m);
        sleepers.fetch_add(1);
        cv.wait(lk, [&] { return stopped(idx) || gen(state.load()) != seen; });
        sleepers.fetch_sub(1);
        g = gen(state.load(std::memory_order_acquire));
      }
      if (stopped(idx)) return;
      seen = g;
      work(g);
    }
  }

  // Stops and joins workers [keep, size).
  void shrink(int keep) {
    {
      std::lock_guard<std::mutex> lk(m);  // a worker between its check and its wait sees this
      limit.store(keep, std::memory_order_release);
    }
    cv.notify_all();
    for (size_t i = (size_t)keep; i < workers.size(); i++) workers[i].join();
    workers.erase(workers.begin() + keep, workers.end());
  }

  // Runs n - 1 workers (the caller is the n-th thread). Returns '' or, when the system refused a
  // thread, why: thread k of n could not start (then, with keepPartial, the workers started so
  // far stay; else they are stopped and the pool is as it was).
  std::string resize(int n, bool keepPartial) {
    const int want = n - 1, had = (int)workers.size();
    if (want <= had) {
      if (want < had) shrink(want);
      return "";
    }
    limit.store(want, std::memory_order_release);
    try {
      workers.reserve((size_t)want);
      for (int i = had; i < want; i++) workers.emplace_back([this, i] { loop(i); });
      return "";
    } catch (const std::exception& e) {  // std::system_error from the thread, or bad_alloc
      const int got = (int)workers.size();
      // keepPartial (the default pool's first start): keep half of the workers that did start, so
      // the address space or memory the system ran out of has room left for the kernels' scratch
      // (a worker whose scratch allocation failed would end the process)
      shrink(keepPartial ? got / 2 : had);
      return "the system refused to start thread " + std::to_string(got + 2) + " of " + std::to_string(n) + " (" +
             e.what() + ")";
    }
  }

  void run(int n, void (*f)(void*, int), void* c) {
    if (!started) {
      started = true;
      if (!resize(wanted, true).empty()) wanted = (int)workers.size() + 1;
    }
    fn.store(f, std::memory_order_relaxed);
    ctx.store(c, std::memory_order_relaxed);
    done.store(0, std::memory_order_relaxed);
    const uint32_t g = (gen(state.load()) + 1) & 0xffffff;
    state.store((uint64_t)g << 40 | (uint64_t)n << 20, std::memory_order_seq_cst);  // publishes the job
    if (sleepers.load() > 0) {
      { std::lock_guard<std::mutex> lk(m); }
      cv.notify_all();
    }
    work(g);
    // Wait for tasks other threads claimed. On a loaded machine a worker holding a task may have
    // been descheduled: after a short spin, yield so it (or the other process) can run.
    for (int i = 0; done.load(std::memory_order_acquire) < n; i++) {
      if (i < 2000) TL_PAUSE();
      else std::this_thread::yield();
    }
  }
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: see the file comment
  return *p;
}

}  // namespace

int numThreads() { return pool().wanted.load(std::memory_order_relaxed); }

void setNumThreads(int n) {
  if (n < 1 || n > kMaxThreads) {
    throw std::invalid_argument("set_num_threads expects a number of threads in [1, " + std::to_string(kMaxThreads) +
                                "], but got " + std::to_string(n));
  }
  Pool& p = pool();
  std::lock_guard<std::mutex> lk(p.busy);
  if (p.started && n == p.wanted) return;
  const std::string why = p.resize(n, false);
  if (!why.empty()) {
    const int had = p.wanted;
    throw std::runtime_error("set_num_threads(" + std::to_string(n) + "): " + why + "; the pool keeps its previous " +
                             std::to_string(had) + (had == 1 ? " thread" : " threads"));
  }
  p.wanted = n;
  p.started = true;
}

void parallelFor(int ntasks, void (*fn)(void*, int), void* ctx) {
  if (ntasks <= 0) return;
  Pool& p = pool();
  if (ntasks == 1 || p.wanted == 1 || ntasks > 0xfffff) {
    for (int t = 0; t < ntasks; t++) fn(ctx, t);
    return;
  }
  std::unique_lock<std::mutex> lk(p.busy, std::try_to_lock);
  if (!lk.owns_lock()) {  // another JS thread (or a nested region) has the pool: run here
    for (int t = 0; t < ntasks; t++) fn(ctx, t);
    return;
  }
  p.run(ntasks, fn, ctx);
}

// ------------------------------------------------------------------------------------------------
// Scratch arena
// ------------------------------------------------------------------------------------------------
namespace {
struct Arena {
  void* p[kSlots] = {};
  size_t cap[kSlots] = {};
  ~Arena() {
    for (void* q : p) std::free(q);
  }
};
thread_local Arena arena;
}  // namespace

void* scratch(ScratchSlot slot, size_t bytes) {
  Arena& a = arena;
  if (bytes > a.cap[slot]) {
    std::free(a.p[slot]);
    size_t cap = bytes + bytes / 4 + 64;
    cap = (cap + 63) & ~(size_t)63;
    a.p[slot] = std::aligned_alloc(64, cap);
    if (!a.p[slot]) throw std::bad_alloc();
    a.cap[slot] = cap;
  }
  return a.p[slot];
}

void trimScratch(size_t keep) {
  Arena& a = arena;
  for (int s = 0; s < kSlots; s++) {
    if (a.cap[s] > keep) {
      std::free(a.p[s]);
      a.p[s] = nullptr;
      a.cap[s] = 0;
    }
  }
}

}  // namespace tl
