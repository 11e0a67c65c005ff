// A transformer encoder block in the weft dialect: token embedding,
// pre-norm multi-head self-attention and a GELU MLP, each with a residual.
// batch 2, sequence 16, hidden 64, 4 heads of 16, MLP 256, vocabulary 1000.
func.func @main(%ids: tensor<2x16xi64>, %table: tensor<1000x64xf32>,
                %ln1_g: tensor<64xf32>, %ln1_b: tensor<64xf32>,
                %wq: tensor<64x64xf32>, %wk: tensor<64x64xf32>,
                %wv: tensor<64x64xf32>, %wo: tensor<64x64xf32>,
                %ln2_g: tensor<64xf32>, %ln2_b: tensor<64xf32>,
                %w1: tensor<64x256xf32>, %b1: tensor<256xf32>,
                %w2: tensor<256x64xf32>, %b2: tensor<64xf32>) -> tensor<2x16x64xf32> {
  %x = weft.embedding %table, %ids : tensor<1000x64xf32>, tensor<2x16xi64> -> tensor<2x16x64xf32>

  // Attention: project the normalized tokens, split heads, attend, merge.
  %h = weft.layer_norm %x, %ln1_g, %ln1_b : tensor<2x16x64xf32>, tensor<64xf32>
  %h2 = weft.reshape %h : tensor<2x16x64xf32> -> tensor<32x64xf32>
  %q = weft.matmul %h2, %wq : tensor<32x64xf32>, tensor<64x64xf32> -> tensor<32x64xf32>
  %k = weft.matmul %h2, %wk : tensor<32x64xf32>, tensor<64x64xf32> -> tensor<32x64xf32>
  %v = weft.matmul %h2, %wv : tensor<32x64xf32>, tensor<64x64xf32> -> tensor<32x64xf32>
  %q4 = weft.reshape %q : tensor<32x64xf32> -> tensor<2x16x4x16xf32>
  %k4 = weft.reshape %k : tensor<32x64xf32> -> tensor<2x16x4x16xf32>
  %v4 = weft.reshape %v : tensor<32x64xf32> -> tensor<2x16x4x16xf32>
  %qh = weft.transpose %q4 perm = [0, 2, 1, 3] : tensor<2x16x4x16xf32> -> tensor<2x4x16x16xf32>
  %kh = weft.transpose %k4 perm = [0, 2, 1, 3] : tensor<2x16x4x16xf32> -> tensor<2x4x16x16xf32>
  %vh = weft.transpose %v4 perm = [0, 2, 1, 3] : tensor<2x16x4x16xf32> -> tensor<2x4x16x16xf32>
  %s = weft.batch_matmul %qh, %kh {transpose_rhs} : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32> -> tensor<2x4x16x16xf32>
  %scale = weft.constant dense<0.25> : tensor<f32>
  %ss = weft.mul %s, %scale : tensor<2x4x16x16xf32>, tensor<f32>
  %p = weft.softmax %ss axis = 3 : tensor<2x4x16x16xf32>
  %o = weft.batch_matmul %p, %vh : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32> -> tensor<2x4x16x16xf32>
  %ot = weft.transpose %o perm = [0, 2, 1, 3] : tensor<2x4x16x16xf32> -> tensor<2x16x4x16xf32>
  %o2 = weft.reshape %ot : tensor<2x16x4x16xf32> -> tensor<32x64xf32>
  %proj = weft.matmul %o2, %wo : tensor<32x64xf32>, tensor<64x64xf32> -> tensor<32x64xf32>
  %proj3 = weft.reshape %proj : tensor<32x64xf32> -> tensor<2x16x64xf32>
  %x1 = weft.add %x, %proj3 : tensor<2x16x64xf32>

  // MLP.
  %m = weft.layer_norm %x1, %ln2_g, %ln2_b : tensor<2x16x64xf32>, tensor<64xf32>
  %m2 = weft.reshape %m : tensor<2x16x64xf32> -> tensor<32x64xf32>
  %u = weft.matmul %m2, %w1 : tensor<32x64xf32>, tensor<64x256xf32> -> tensor<32x256xf32>
  %ub = weft.add %u, %b1 : tensor<32x256xf32>, tensor<256xf32>
  %g = weft.gelu %ub : tensor<32x256xf32>
  %d = weft.matmul %g, %w2 : tensor<32x256xf32>, tensor<256x64xf32> -> tensor<32x64xf32>
  %db = weft.add %d, %b2 : tensor<32x64xf32>, tensor<64xf32>
  %d3 = weft.reshape %db : tensor<32x64xf32> -> tensor<2x16x64xf32>
  %y = weft.add %x1, %d3 : tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}
