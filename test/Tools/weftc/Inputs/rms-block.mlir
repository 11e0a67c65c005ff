func.func @main(%x: tensor<64x256xf32> {weft.name = "x"}, %y: tensor<64x256xf32> {weft.name = "y"}, %g: tensor<256xf32> {weft.name = "g"}, %w: tensor<256x256xf32> {weft.name = "w"}, %b: tensor<256xf32> {weft.name = "b"}) -> (tensor<64x256xf32> {weft.name = "out"}) {
  %r = weft.add %x, %y : tensor<64x256xf32>
  %n = weft.rms_norm %r, %g : tensor<64x256xf32>, tensor<256xf32>
  %m = weft.matmul %n, %w : tensor<64x256xf32>, tensor<256x256xf32> -> tensor<64x256xf32>
  %a = weft.add %m, %b : tensor<64x256xf32>, tensor<256xf32>
  %s = weft.sigmoid %a : tensor<64x256xf32>
  %o = weft.mul %a, %s : tensor<64x256xf32>
  return %o : tensor<64x256xf32>
}
