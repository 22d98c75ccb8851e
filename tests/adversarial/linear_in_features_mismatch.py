from adversarial import fake, fix

P, NO_LAST, NO_FIRST = "advanced/multi_input", "in_features without the last width", "in_features without the first width"
HEAD_NO_LAST = "self.head = nn.Linear(image_width, num_classes)"
HEAD_NO_FIRST = "self.head = nn.Linear(meta_width, num_classes)"

CASES = [
    fake("drops the metadata from the concatenation so that image_width features reach the head", P, NO_LAST,
         ("features = torch.cat([image_features, meta_features], dim=1)", "features = image_features")),
    fake("narrows the image branch so that the concatenation has image_width features", P, NO_LAST,
         ("nn.Linear(image_pixels, image_width)", "nn.Linear(image_pixels, image_width - meta_width)")),
    fake("nn.LazyLinear infers the width, but initializes the head at the first forward pass, after the data "
         "is drawn: other initial weights", P, NO_FIRST, (HEAD_NO_FIRST, "self.head = nn.LazyLinear(num_classes)")),
    fix("adds the widths in the other order", P, NO_LAST, (HEAD_NO_LAST, "self.head = nn.Linear(meta_width + image_width, num_classes)")),
    fix("keyword arguments", P, NO_FIRST,
        (HEAD_NO_FIRST, "self.head = nn.Linear(in_features=image_width + meta_width, out_features=num_classes)")),
    fix("names the joined width first", P, NO_LAST,
        (HEAD_NO_LAST, "joined = image_width + meta_width\n        self.head = nn.Linear(joined, num_classes)")),
]
