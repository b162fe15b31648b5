import zlib, torch
def check(name, variants=True):
    shape=(16,8); layout="one_row"; n_lora=6; dtype=torch.bfloat16
    seed = zlib.crc32(f"{name}{shape}{layout}".encode()) % 1000
    gen = torch.Generator().manual_seed(seed)
    rank=int(name.split("_r")[1].split("_")[0]); h_in,h_out=shape
    a = (torch.randn(n_lora, rank, h_in, generator=gen) / h_in ** 0.5).to(dtype)
    b = (torch.randn(n_lora, h_out, rank, generator=gen) / rank ** 0.5).to(dtype)
    x = torch.randn(1, h_in, generator=gen).to(dtype)
    y0 = torch.randn(1, h_out, generator=gen).to(dtype)
    scales = (torch.rand(n_lora, generator=gen) + 0.5)
    s = 0.5*scales[3].double()
    want = (x.double()@a[3].double().T)@b[3].double().T * s
    v = (x.double()@a[3].double().T)
    res=[]
    for vr in [v.to(dtype).double(), (v*s).to(dtype).double()/s]:
        d = vr@b[3].double().T*s
        yo = (y0.double()+d).to(dtype).double()
        res.append((yo-y0.double()-want).norm().item()/want.norm().item())
    print(name, seed, "want rms %.3f"%want.pow(2).mean().sqrt().item(), "y rms %.3f"%y0.double().pow(2).mean().sqrt().item(), ["%.2e"%r for r in res])
import subprocess
for n in ["sgmv_prefill_bf16_r16_hany_w11m32n128u1_v8","sgmv_prefill_bf16_r32_hany_w11m4n256u1_v8",
          "sgmv_prefill_bf16_r16_hany_w11m16n256u1_v8","sgmv_prefill_bf16_r64_hany_w7m64n128u1_v8"]:
    check(n)
