"""DCGAN with an optional WGAN-GP critic loss, trained on a generic image loader."""

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
import torchvision.utils as vutils
from torch import Tensor

NZ, NGF, NDF = 100, 64, 64


def weights_init(m: nn.Module) -> None:
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:  # other: find
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:  # other: find
        m.weight.data.normal_(1.0, 0.02)  # tensor: normal_
        m.bias.data.fill_(0)  # tensor: fill_


class Generator(nn.Module):
    def __init__(self, nc: int = 3):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(NZ, NGF * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(NGF * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(NGF * 8, NGF * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(NGF * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(NGF * 4, NGF * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(NGF * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(NGF * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, z: Tensor) -> Tensor:
        if z.dim() == 2:  # tensor: dim
            z = z[:, :, None, None]
        return self.main(z)  # other: main


class Discriminator(nn.Module):
    def __init__(self, nc: int = 3, spectral: bool = False):
        super().__init__()
        sn = nn.utils.spectral_norm if spectral else (lambda m: m)
        self.features = nn.Sequential(
            sn(nn.Conv2d(nc, NDF, 4, 2, 1, bias=False)),
            nn.LeakyReLU(0.2, inplace=True),
            sn(nn.Conv2d(NDF, NDF * 2, 4, 2, 1, bias=False)),
            nn.LeakyReLU(0.2, inplace=True),
            sn(nn.Conv2d(NDF * 2, NDF * 4, 4, 2, 1, bias=False)),
            nn.LeakyReLU(0.2, inplace=True),
        )
        self.head = nn.Conv2d(NDF * 4, 1, 4, 1, 0, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x)).view(-1)  # tensor: view | other: head features


def gradient_penalty(critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
    b = real.size(0)  # tensor: size
    alpha = torch.rand(b, 1, 1, 1, device=real.device).expand_as(real)  # tensor: expand_as
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)  # tensor: requires_grad_
    scores = critic(mixed)
    (grads,) = torch.autograd.grad(
        outputs=scores,
        inputs=mixed,
        grad_outputs=torch.ones_like(scores),
        create_graph=True,
    )
    norms = grads.view(b, -1).norm(2, dim=1)  # tensor: view norm
    return ((norms - 1) ** 2).mean()  # tensor: mean


def train(loader, device, epochs: int = 5, wgan: bool = False):
    net_g = Generator().to(device)  # other: to
    net_d = Discriminator(spectral=wgan).to(device)  # other: to
    net_g.apply(weights_init)  # other: apply
    net_d.apply(weights_init)  # other: apply
    criterion = nn.BCEWithLogitsLoss()
    opt_d = optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))  # other: parameters
    opt_g = optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))  # other: parameters
    fixed_noise = torch.randn(64, NZ, 1, 1, device=device)
    g_losses, d_losses, grids = [], [], []
    for epoch in range(epochs):
        for i, (data, _) in enumerate(loader):
            real = data.to(device)  # tensor: to
            b = real.shape[0]
            label = torch.ones(b, device=device)
            # (1) update D: maximise log(D(x)) + log(1 - D(G(z)))
            net_d.zero_grad()  # other: zero_grad
            out_real = net_d(real)
            noise = torch.randn(b, NZ, 1, 1, device=device)
            fake = net_g(noise)
            out_fake = net_d(fake.detach())  # tensor: detach
            if wgan:
                err_d = out_fake.mean() - out_real.mean()  # tensor: mean mean
                err_d += 10.0 * gradient_penalty(net_d, real, fake.detach())  # tensor: detach
            else:
                err_real = criterion(out_real, label)
                err_fake = criterion(out_fake, label.clone().fill_(0.0))  # tensor: clone fill_
                err_d = err_real + err_fake
            err_d.backward()  # tensor: backward
            opt_d.step()  # other: step
            # (2) update G: maximise log(D(G(z)))
            net_g.zero_grad()  # other: zero_grad
            out = net_d(fake)
            err_g = -out.mean() if wgan else criterion(out, label)  # tensor: mean
            err_g.backward()  # tensor: backward
            opt_g.step()  # other: step
            d_x = out_real.sigmoid().mean().item()  # tensor: sigmoid mean item
            d_g_z = torch.sigmoid(out).mean().item()  # tensor: mean item
            g_losses.append(err_g.item())  # tensor: item | other: append
            d_losses.append(err_d.item())  # tensor: item | other: append
            if i % 50 == 0:
                msg = f"[{epoch}/{epochs}][{i}] D(x)={d_x:.3f} D(G(z))={d_g_z:.3f}"
                print(msg.ljust(60), f"loss_g={err_g.item():.4f}")  # tensor: item | other: ljust
        with torch.no_grad():
            samples = net_g(fixed_noise).detach().cpu()  # tensor: detach cpu
        grids.append(vutils.make_grid(samples, padding=2, normalize=True))  # other: append
    history = np.array(g_losses)
    best = history.argmin()  # other: argmin
    print("lowest G loss", history.min(), "at step", best)  # other: min
    return net_g, grids


@torch.no_grad()
def interpolate(net_g: Generator, steps: int = 8, device="cpu") -> Tensor:
    net_g.eval()  # other: eval
    z0, z1 = torch.randn(2, NZ, device=device).chunk(2)  # tensor: chunk
    weights = torch.linspace(0, 1, steps, device=device).view(-1, 1)  # tensor: view
    z = z0.lerp(z1, weights)  # tensor: lerp
    images = net_g(z).add(1).div(2).clamp(0, 1)  # tensor: add div clamp
    return images.mul(255).byte().permute(0, 2, 3, 1)  # tensor: mul byte permute


def save_samples(grids: list[Tensor], path: str) -> None:
    last = grids[-1]
    vutils.save_image(last, path)
    arr = last.permute(1, 2, 0).numpy()  # tensor: permute numpy
    print("saved", path, arr.shape, arr.max().round(3))  # other: max round
