func.func @main(%x: tensor<4x8xf32> {weft.name = "x"}) -> (tensor<4x8xf32> {weft.name = "y"}) {
  %0 = weft.relu %x : tensor<4x8xf32>
  %1 = weft.exp %0 : tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}
