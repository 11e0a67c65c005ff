func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = weft.relu %x : tensor<4xf32>
  %1 = arith.mulf %0, %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}
