from adversarial import fake, fix

P, FORM = "architectures/resnet_block", "projection replaced by the identity"
BUGGY = ("            # project x to the output's shape: (N, in, H, W) -> (N, out, H / stride, W / stride)\n"
         "            self.shortcut = nn.Identity()\n")
PROJ = "            # project x to the output's shape: (N, in, H, W) -> (N, out, H / stride, W / stride)\n"


def projection(code):
    return (BUGGY, PROJ + code)


CASES = [
    fake("makes the second block keep the shape so the identity fits: no downsampling, no wider channels",
         P, FORM, ("self.layer2 = BasicBlock(width, 2 * width, stride=2)", "self.layer2 = BasicBlock(width, width)"),
         ("self.fc = nn.Linear(2 * width, num_classes)", "self.fc = nn.Linear(width, num_classes)")),
    fake("a 1x1 strided convolution without the BatchNorm",
         P, FORM, projection("            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)\n")),
    fake("average-pools to the new size, then a 1x1 convolution and BatchNorm: the shapes fit, the values differ",
         P, FORM, projection("            self.shortcut = nn.Sequential(nn.AvgPool2d(stride), nn.Conv2d(in_channels, out_channels, 1, bias=False),\n"
                             "                                          nn.BatchNorm2d(out_channels))\n")),
    fix("the projection with keyword arguments and a (1, 1) kernel",
        P, FORM, projection("            self.shortcut = nn.Sequential(\n"
                            "                nn.Conv2d(in_channels, out_channels, kernel_size=(1, 1), stride=stride, padding=0, bias=False),\n"
                            "                nn.BatchNorm2d(num_features=out_channels),\n"
                            "            )\n")),
    fix("the projection as a Sequential with named layers (shortcut.conv, shortcut.bn)",
        P, FORM, projection("            self.shortcut = nn.Sequential()\n"
                            "            self.shortcut.add_module(\"conv\", nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False))\n"
                            "            self.shortcut.add_module(\"bn\", nn.BatchNorm2d(out_channels))\n")),
    fix("the projection as two attributes of the block, applied in forward()",
        P, FORM, projection("            self.proj_conv = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)\n"
                            "            self.proj_bn = nn.BatchNorm2d(out_channels)\n"
                            "            self.shortcut = nn.Sequential(self.proj_conv, self.proj_bn)\n")),
]
