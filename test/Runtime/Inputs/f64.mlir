func.func @main(%x: tensor<4x8xf64> {weft.name = "x"}) -> (tensor<4x8xf64> {weft.name = "y"}) {
  %t = weft.tanh %x : tensor<4x8xf64>
  %y = weft.mul %t, %x : tensor<4x8xf64>
  return %y : tensor<4x8xf64>
}
