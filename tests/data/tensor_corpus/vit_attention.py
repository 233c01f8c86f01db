"""Vision Transformer pieces: patch embedding, attention, MLP, encoder."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class PatchEmbed(nn.Module):
    def __init__(self, img_size=224, patch_size=16, in_chans=3, embed_dim=768):
        super().__init__()
        self.img_size = (img_size, img_size)
        self.patch_size = patch_size
        self.grid = img_size // patch_size
        self.num_patches = self.grid**2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x: Tensor) -> Tensor:
        b, c, h, w = x.shape
        if (h, w) != self.img_size:
            raise ValueError(f"input {h}x{w} does not match {self.img_size}")
        x = self.proj(x)  # other: proj
        return x.flatten(2).transpose(1, 2)  # tensor: flatten transpose


class Attention(nn.Module):
    def __init__(self, dim, num_heads=8, qkv_bias=False, attn_drop=0.0, proj_drop=0.0):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim**-0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.attn_drop = nn.Dropout(attn_drop)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x, mask: Tensor | None = None):
        B, N, C = x.shape
        qkv = self.qkv(x)  # other: qkv
        qkv = qkv.reshape(B, N, 3, self.num_heads, self.head_dim)  # tensor: reshape
        qkv = qkv.permute(2, 0, 3, 1, 4)  # tensor: permute
        q, k, v = qkv.unbind(0)  # tensor: unbind
        attn = (q * self.scale) @ k.transpose(-2, -1)  # tensor: transpose
        if mask is not None:
            pad = mask[:, None, None, :].logical_not()  # tensor: logical_not
            attn = attn.masked_fill(pad, float("-inf"))  # tensor: masked_fill
        attn = attn.softmax(dim=-1)  # tensor: softmax
        attn = self.attn_drop(attn)  # other: attn_drop
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)  # tensor: transpose reshape
        x = self.proj(x)  # other: proj
        return self.proj_drop(x)  # other: proj_drop


class Mlp(nn.Module):
    def __init__(self, in_features, hidden_features=None, drop=0.0):
        super().__init__()
        hidden_features = hidden_features or in_features * 4
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_features, in_features)
        self.drop = nn.Dropout(drop)

    def forward(self, x):
        x = self.act(self.fc1(x))  # other: act fc1
        return self.drop(self.fc2(x))  # other: drop fc2


def drop_path(x: Tensor, drop_prob: float = 0.0, training: bool = False) -> Tensor:
    if drop_prob == 0.0 or not training:
        return x
    keep_prob = 1 - drop_prob
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    random_tensor = x.new_empty(shape).bernoulli_(keep_prob)  # tensor: new_empty bernoulli_
    if keep_prob > 0.0:
        random_tensor.div_(keep_prob)  # tensor: div_
    return x * random_tensor


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio=4.0, drop_path_rate=0.0, init_values=1e-5):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, num_heads, qkv_bias=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.gamma1 = nn.Parameter(init_values * torch.ones(dim))
        self.gamma2 = nn.Parameter(torch.full((dim,), init_values))
        self.drop_path_rate = drop_path_rate

    def forward(self, x, mask=None):
        y = self.attn(self.norm1(x), mask)  # other: attn norm1
        y = self.gamma1.mul(y)  # tensor: mul
        x = x + drop_path(y, self.drop_path_rate, self.training)
        y = self.mlp(self.norm2(x))  # other: mlp norm2
        return x + drop_path(y * self.gamma2, self.drop_path_rate, self.training)


class VisionTransformer(nn.Module):
    def __init__(
        self,
        img_size=224,
        patch_size=16,
        num_classes=1000,
        embed_dim=768,
        depth=12,
        num_heads=12,
    ):
        super().__init__()
        self.patch_embed = PatchEmbed(img_size, patch_size, 3, embed_dim)
        num_patches = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, embed_dim))
        dpr = [r.item() for r in torch.linspace(0, 0.1, depth)]  # tensor: item
        self.blocks = nn.ModuleList([Block(embed_dim, num_heads, drop_path_rate=p) for p in dpr])
        self.norm = nn.LayerNorm(embed_dim)
        self.head = nn.Linear(embed_dim, num_classes)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        self.cls_token.data.normal_(std=0.02)  # tensor: normal_
        self.apply(self._init_weights)  # other: apply

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                m.bias.data.zero_()  # tensor: zero_
        elif isinstance(m, nn.LayerNorm):
            m.weight.data.fill_(1.0)  # tensor: fill_
            m.bias.data.zero_()  # tensor: zero_

    def no_weight_decay(self) -> set[str]:
        names = {"pos_embed", "cls_token"}
        for n, _ in self.named_parameters():  # other: named_parameters
            if n.endswith(".bias") or "norm" in n:  # other: endswith
                names.add(n)  # other: add
        return names

    def interpolate_pos_embed(self, new_grid: int) -> Tensor:
        n_old = self.pos_embed.size(1) - 1  # tensor: size
        cls_pos, patch_pos = self.pos_embed.split([1, n_old], dim=1)  # tensor: split
        old_grid = int(math.sqrt(n_old))
        dim = patch_pos.shape[-1]
        grid = patch_pos.reshape(1, old_grid, old_grid, dim)  # tensor: reshape
        grid = grid.permute(0, 3, 1, 2)  # tensor: permute
        grid = F.interpolate(grid, size=(new_grid, new_grid), mode="bicubic")
        grid = grid.permute(0, 2, 3, 1).flatten(1, 2)  # tensor: permute flatten
        return torch.cat([cls_pos, grid], dim=1)

    def forward_features(self, x: Tensor) -> Tensor:
        x = self.patch_embed(x)  # other: patch_embed
        cls = self.cls_token.expand(x.size(0), -1, -1)  # tensor: expand size
        x = torch.cat((cls, x), dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)  # other: norm

    def forward(self, x):
        x = self.forward_features(x)  # other: forward_features
        return self.head(x[:, 0])  # other: head

    @torch.no_grad()
    def attention_maps(self, x: Tensor) -> list[Tensor]:
        maps = []
        x = self.patch_embed(x)  # other: patch_embed
        cls = self.cls_token.expand(x.shape[0], -1, -1)  # tensor: expand
        x = torch.cat((cls, x), dim=1) + self.pos_embed
        for i in range(len(self.blocks)):
            attn = self.blocks[i].attn
            h = self.blocks[i].norm1(x)  # other: norm1
            qkv = attn.qkv(h)  # other: qkv
            qkv = qkv.view(h.size(0), h.size(1), 3, attn.num_heads, -1)  # tensor: view size size
            q, k, _ = qkv.permute(2, 0, 3, 1, 4)  # tensor: permute
            scores = q.matmul(k.transpose(-1, -2)).mul(attn.scale)  # tensor: matmul transpose mul
            maps.append(scores.softmax(-1).cpu())  # tensor: softmax cpu | other: append
            x = self.blocks[i](x)
        return maps


def attention_rollout(maps: list[Tensor], discard_ratio: float = 0.9) -> Tensor:
    result = torch.eye(maps[0].size(-1))  # tensor: size
    for attn in maps:
        fused = attn.mean(dim=1)  # tensor: mean
        flat = fused.view(fused.size(0), -1)  # tensor: view size
        k = int(flat.size(-1) * discard_ratio)  # tensor: size
        _, idx = flat.topk(k, dim=-1, largest=False)  # tensor: topk
        flat.scatter_(1, idx, 0.0)  # tensor: scatter_
        eye = torch.eye(fused.size(-1), device=fused.device)  # tensor: size
        a = (fused + eye) / 2
        a = a / a.sum(dim=-1, keepdim=True)  # tensor: sum
        result = a.bmm(result.expand_as(a))  # tensor: bmm expand_as
    mask = result[:, 0, 1:]
    side = int(mask.size(-1) ** 0.5)  # tensor: size
    mask = mask.reshape(-1, side, side)  # tensor: reshape
    return mask / mask.amax(dim=(1, 2), keepdim=True).clamp_min(1e-6)  # tensor: amax clamp_min


def sinusoid_table(n_position: int, d_hid: int) -> Tensor:
    position = torch.arange(n_position, dtype=torch.float32).unsqueeze(1)  # tensor: unsqueeze
    freqs = torch.arange(0, d_hid, 2).float()  # tensor: float
    div = torch.exp(freqs * (-math.log(10000.0) / d_hid))
    table = torch.zeros(n_position, d_hid)
    table[:, 0::2] = torch.sin(position * div)
    table[:, 1::2] = torch.cos(position * div)
    return table.unsqueeze(0)  # tensor: unsqueeze


if __name__ == "__main__":
    vit = VisionTransformer(img_size=64, patch_size=16, num_classes=5, embed_dim=96, depth=2)
    images = torch.rand(2, 3, 64, 64)
    heat = attention_rollout(vit.attention_maps(images))  # other: attention_maps
    print(heat.shape, vit.no_weight_decay())  # other: no_weight_decay
    new_pos = vit.interpolate_pos_embed(8)  # other: interpolate_pos_embed
    vit.pos_embed.data.copy_(new_pos[:, : vit.pos_embed.shape[1]])  # tensor: copy_
    print(sinusoid_table(17, 96).squeeze(0).std().item())  # tensor: squeeze std item
