func.func @main() -> tensor<100000000000xf32> {
  %c = weft.constant dense<1.0> : tensor<100000000000xf32>
  return %c : tensor<100000000000xf32>
}
