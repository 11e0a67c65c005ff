func.func @main(%x: tensor<100000000xf32>) -> tensor<100000000xf32> {
  %c = weft.constant dense<1.0> : tensor<100000000xf32>
  %y = weft.add %x, %c : tensor<100000000xf32>
  return %y : tensor<100000000xf32>
}
