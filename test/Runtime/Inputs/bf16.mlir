func.func @main(%x: tensor<8xbf16> {weft.name = "x"}) -> (tensor<8xbf16> {weft.name = "y"}) {
  %r = weft.relu %x : tensor<8xbf16>
  %y = weft.add %r, %x : tensor<8xbf16>
  return %y : tensor<8xbf16>
}
