// Updates whose new value is the old value of another state argument
// (state-writeback.test): every update reads the state as it was before
// the step.

// prev' = cur, cur' = cur + 10.
func.func @lag(%cur: tensor<4xf32> {weft.state, weft.name = "cur", weft.init = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>},
               %prev: tensor<4xf32> {weft.state, weft.name = "prev", weft.init = dense<0.0> : tensor<4xf32>})
    -> (tensor<4xf32> {weft.update = 0 : i64, weft.name = "cur"},
        tensor<4xf32> {weft.update = 1 : i64, weft.name = "prev"}) attributes {weft.entry} {
  %c = weft.constant dense<10.0> : tensor<4xf32>
  %n = weft.add %cur, %c : tensor<4xf32>
  return %n, %cur : tensor<4xf32>, tensor<4xf32>
}

// p' = q, q' = p.
func.func @swap(%p: tensor<4xf32> {weft.state, weft.name = "p", weft.init = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>},
                %q: tensor<4xf32> {weft.state, weft.name = "q", weft.init = dense<[5.0, 6.0, 7.0, 8.0]> : tensor<4xf32>})
    -> (tensor<4xf32> {weft.update = 0 : i64, weft.name = "p"},
        tensor<4xf32> {weft.update = 1 : i64, weft.name = "q"}) attributes {weft.entry} {
  return %q, %p : tensor<4xf32>, tensor<4xf32>
}
