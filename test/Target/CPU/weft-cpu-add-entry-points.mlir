// RUN: weft-opt %s --split-input-file --weft-cpu-add-entry-points --verify-diagnostics | FileCheck %s

// A kernel with recorded sizes gets an exported
// `void weft_<k>(void **args, i64 begin, i64 end)` that loads one pointer
// per buffer and calls it with them and the range of its parallel loop;
// the kernel becomes internal and the sizes, access and parallel extent
// move to the entry point. Functions without weft.arg_bytes and
// declarations are left alone.
// CHECK-LABEL: llvm.func internal @k0(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64) {
// CHECK:       llvm.func @helper(%{{.*}}: !llvm.ptr) {
// CHECK:       llvm.func @ext(!llvm.ptr) attributes {weft.arg_bytes = array<i64: 4>}
// CHECK-LABEL: llvm.func @weft_k0
// CHECK-SAME:    (%[[ARGS:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64) attributes {weft.arg_access = array<i64: 1, 2, 3>, weft.arg_bytes = array<i64: 32, 32, 16>, weft.parallel_extent = 4 : i64} {
// CHECK-NEXT:    %[[P0:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[A0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[P1:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[A1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[P2:.*]] = llvm.getelementptr %[[ARGS]][2] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[A2:.*]] = llvm.load %[[P2]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    llvm.call @k0(%[[A0]], %[[A1]], %[[A2]], %[[BEGIN]], %[[END]]) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64) -> ()
// CHECK-NEXT:    llvm.return
// CHECK-NOT:   llvm.func @weft_
llvm.func @k0(%a: !llvm.ptr, %b: !llvm.ptr, %s: !llvm.ptr, %begin: i64, %end: i64) attributes {weft.arg_bytes = array<i64: 32, 32, 16>, weft.arg_access = array<i64: 1, 2, 3>, weft.parallel_extent = 4 : i64} {
  llvm.return
}
llvm.func @helper(%a: !llvm.ptr) {
  llvm.return
}
llvm.func @ext(!llvm.ptr) attributes {weft.arg_bytes = array<i64: 4>}

// -----

// A kernel without buffers: the entry point loads nothing.
// CHECK-LABEL: llvm.func internal @k1(%{{.*}}: i64, %{{.*}}: i64) {
// CHECK:       llvm.func @weft_k1(%{{.*}}: !llvm.ptr, %[[B:.*]]: i64, %[[E:.*]]: i64) attributes {weft.arg_access = array<i64>, weft.arg_bytes = array<i64>} {
// CHECK-NEXT:    llvm.call @k1(%[[B]], %[[E]]) : (i64, i64) -> ()
// CHECK-NEXT:    llvm.return
llvm.func @k1(%begin: i64, %end: i64) attributes {weft.arg_bytes = array<i64>, weft.arg_access = array<i64>} {
  llvm.return
}

// -----

// negative: memrefs lowered to descriptors instead of bare pointers leave
// more arguments than recorded sizes.
// expected-error @+1 {{kernel @negative_descriptor takes (7 arguments) but the CPU kernel ABI is 1 bare pointers (its recorded buffers) and the i64 range of its parallel loop}}
llvm.func @negative_descriptor(%p: !llvm.ptr, %q: !llvm.ptr, %o: i64, %s: i64, %st: i64, %b: i64, %e: i64) attributes {weft.arg_bytes = array<i64: 32>, weft.arg_access = array<i64: 1>} {
  llvm.return
}

// -----

// negative: fewer arguments than recorded sizes.
// expected-error @+1 {{kernel @negative_too_few takes (3 arguments) but the CPU kernel ABI is 2 bare pointers (its recorded buffers) and the i64 range of its parallel loop}}
llvm.func @negative_too_few(%a: !llvm.ptr, %b: i64, %e: i64) attributes {weft.arg_bytes = array<i64: 32, 32>, weft.arg_access = array<i64: 1, 2>} {
  llvm.return
}

// -----

// negative: no parallel range after the buffers.
// expected-error @+1 {{kernel @negative_no_range takes (1 arguments) but the CPU kernel ABI is 1 bare pointers (its recorded buffers) and the i64 range of its parallel loop}}
llvm.func @negative_no_range(%a: !llvm.ptr) attributes {weft.arg_bytes = array<i64: 32>, weft.arg_access = array<i64: 1>} {
  llvm.return
}
