# The native backend (C++ sources in native/). Built by `npm install` (native/build.mjs --install,
# which never fails the install) and by `npm run build:native`, which also copies the binary to
# prebuilds/<platform>-<arch>/torchlet.node. No -march=native: the addon is built for the baseline
# CPU of its architecture; the AVX2 and AVX-512 kernels live in their own static libraries compiled
# with those flags and are called only when cpuid reports the instructions (native/isa.cc).
{
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
    "cflags!": ["-fno-exceptions", "-O2", "-O0"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2", "-O0"],
    "cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-fPIC", "-fvisibility=hidden", "-ffp-contract=fast"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "GCC_OPTIMIZATION_LEVEL": "3"
    },
    "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1 } }
  },
  "targets": [
    {
      "target_name": "torchlet",
      "sources": [
        "native/addon.cc",
        "native/isa.cc",
        "native/gemm.cc",
        "native/recurrent.cc",
        "native/optim.cc",
        "native/threads.cc",
        "native/kernels-generic.cc"
      ],
      "conditions": [
        ["target_arch=='x64'", { "dependencies": ["torchlet_avx2", "torchlet_avx512"] }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "torchlet_avx2",
          "type": "static_library",
          "sources": ["native/kernels-avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"] }
        },
        {
          "target_name": "torchlet_avx512",
          "type": "static_library",
          "sources": ["native/kernels-avx512.cc"],
          "cflags_cc": ["-mavx2", "-mfma", "-mavx512f", "-mavx512dq", "-mavx512vl", "-mavx512bw"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma", "-mavx512f", "-mavx512dq", "-mavx512vl", "-mavx512bw"]
          }
        }
      ]
    }]
  ]
}
