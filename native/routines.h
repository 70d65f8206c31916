// The fused routines as both compiled backends call them (native/addon.cc and native/wasm/entry.cc).
//
// Each routine has one argument struct (recurrent.h, optim.h) whose members are in the order of the
// fields of its TypeScript descriptor (src/backends/routines/*.ts). The TypeScript side sends one
// value per field in that order: numbers in a block of doubles, arrays as typed arrays (the addon)
// or as addresses in the same block (wasm). unpack<S>() fills the struct from a source by aggregate
// initialisation, member i from field i, each member taking the value its type asks for (Arg's
// conversions). So a routine's arguments are declared once here (the struct) and once in TypeScript
// (the descriptor), and the signature check below makes a difference between the two a load-time
// error instead of a silent pointer swap.
//
// Member types allowed (each with its signature letter, which the descriptor's field kinds give
// too): int (i), bool (b), double (d), const int32_t* (I), const T* (r: an array read), T* (w: an
// array written). T is float or double for templated structs (the call's f64 flag picks one).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "optim.h"
#include "recurrent.h"

namespace tl {
namespace routines {

// Minimal type traits and index sequences (the wasm build has no <type_traits> / <utility>).
template <class T> struct IsConst { static constexpr bool value = false; };
template <class T> struct IsConst<const T> { static constexpr bool value = true; };
template <class T, class U> struct IsSame { static constexpr bool value = false; };
template <class T> struct IsSame<T, T> { static constexpr bool value = true; };
template <int... I> struct Seq {};
template <int N, int... I> struct MakeSeq : MakeSeq<N - 1, N - 1, I...> {};
template <int... I> struct MakeSeq<0, I...> { using type = Seq<I...>; };

// Member i of a struct being filled from a source: `Src::number(i)` for scalars, `Src::pointer(i)`
// for arrays (null for an absent optional).
template <class Src>
struct Arg {
  const Src* src;
  int i;
  operator int() const { return (int)src->number(i); }
  operator bool() const { return src->number(i) != 0; }
  operator double() const { return src->number(i); }
  template <class U>
  operator U*() const { return static_cast<U*>(src->pointer(i)); }
};

// Member i's signature letter, written to out[i].
struct SigArg {
  char* out;
  int i;
  operator int() const { return out[i] = 'i', 0; }
  operator bool() const { return out[i] = 'b', false; }
  operator double() const { return out[i] = 'd', 0.0; }
  template <class U>
  operator U*() const {
    out[i] = IsSame<U, const int32_t>::value ? 'I' : IsConst<U>::value ? 'r' : 'w';
    return nullptr;
  }
};

// The number of members of S: the most Args it can be brace-initialised from.
struct Probe {
  operator int() const;
  operator bool() const;
  operator double() const;
  template <class U>
  operator U*() const;
};
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"  // counting tries fewer initialisers
template <class S, class... P>
constexpr auto initializable(int) -> decltype(void(S{P()...}), true) {
  return true;
}
#pragma GCC diagnostic pop
template <class S, class... P>
constexpr bool initializable(long) {
  return false;
}
template <class S, class... P>
constexpr int fieldCount() {
  if constexpr (initializable<S, P..., Probe>(0)) return fieldCount<S, P..., Probe>();
  else return (int)sizeof...(P);
}

template <class S, class Src, int... I>
S unpackSeq(const Src& src, Seq<I...>) {
  return S{Arg<Src>{&src, I}...};
}
// S filled from src, member i from field i.
template <class S, class Src>
S unpack(const Src& src) {
  return unpackSeq<S>(src, typename MakeSeq<fieldCount<S>()>::type{});
}

template <class S, int... I>
void signatureSeq(char* out, Seq<I...>) {
  (void)S{SigArg{out, I}...};
}
// Writes S's signature (one letter per member) and returns its length.
template <class S>
int signature(char* out) {
  signatureSeq<S>(out, typename MakeSeq<fieldCount<S>()>::type{});
  return fieldCount<S>();
}

// A routine over float or double arrays (S<T>), or over one element type (S).
template <template <class> class S, void (*F32)(const S<float>&), void (*F64)(const S<double>&), class Src>
void runTyped(const Src& src, bool f64) {
  if (f64) F64(unpack<S<double>>(src));
  else F32(unpack<S<float>>(src));
}
template <class S, void (*F)(const S&), class Src>
void runOne(const Src& src, bool) {
  F(unpack<S>(src));
}

template <class Src>
struct Entry {
  const char* name;  // the descriptor's name
  int (*signature)(char* out);
  void (*run)(const Src& src, bool f64);
};

// The routines, by id (their position here). The TypeScript side finds them by name.
template <class Src>
struct Table {
  static constexpr Entry<Src> entries[] = {
      {"lstmForward", signature<LstmFwd<float>>, runTyped<LstmFwd, lstmForward<float>, lstmForward<double>, Src>},
      {"lstmBackward", signature<LstmBwd<float>>, runTyped<LstmBwd, lstmBackward<float>, lstmBackward<double>, Src>},
      {"gruForward", signature<GruFwd<float>>, runTyped<GruFwd, gruForward<float>, gruForward<double>, Src>},
      {"gruBackward", signature<GruBwd<float>>, runTyped<GruBwd, gruBackward<float>, gruBackward<double>, Src>},
      {"rnnForward", signature<RnnFwd<float>>, runTyped<RnnFwd, rnnForward<float>, rnnForward<double>, Src>},
      {"rnnBackward", signature<RnnBwd<float>>, runTyped<RnnBwd, rnnBackward<float>, rnnBackward<double>, Src>},
      {"adamStep", signature<AdamStep>, runOne<AdamStep, adamStep, Src>},
  };
  static constexpr int count = (int)(sizeof(entries) / sizeof(entries[0]));
};

// "name:letters;name:letters;..." in id order (built once; the TypeScript side compares each
// routine's letters with its descriptor's).
template <class Src>
const char* signatures() {
  static char text[2048];
  if (text[0] == 0) {
    int o = 0;
    for (int r = 0; r < Table<Src>::count; r++) {
      for (const char* c = Table<Src>::entries[r].name; *c; c++) text[o++] = *c;
      text[o++] = ':';
      o += Table<Src>::entries[r].signature(text + o);
      text[o++] = ';';
    }
    text[o] = 0;
  }
  return text;
}

// Runs routine `id` with arguments from src (false: no such routine).
template <class Src>
bool run(int id, const Src& src, bool f64) {
  if (id < 0 || id >= Table<Src>::count) return false;
  Table<Src>::entries[id].run(src, f64);
  return true;
}

}  // namespace routines
}  // namespace tl
