// A tiny training step: loss = mean((x * w - y)^2) with w a parameter
// (weft.state with an initial value), SGD with momentum (train.test).
func.func @main(%w: tensor<4xf32> {weft.state, weft.name = "w", weft.init = dense<[0.5, -1.0, 2.0, 0.25]> : tensor<4xf32>},
                %x: tensor<8x4xf32> {weft.name = "x"}, %y: tensor<8x4xf32> {weft.name = "y"})
    -> (tensor<f32> {weft.name = "loss"})
    attributes {weft.optimizer = {kind = "sgd", lr = 0.1 : f64, momentum = 0.5 : f64}} {
  %p = weft.mul %x, %w : tensor<8x4xf32>, tensor<4xf32>
  %d = weft.sub %p, %y : tensor<8x4xf32>
  %s = weft.mul %d, %d : tensor<8x4xf32>
  %l = weft.reduce_mean %s axes = [0, 1] : tensor<8x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
