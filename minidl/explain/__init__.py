"""What a classifier looks at: saliency, Grad-CAM and occlusion maps.

Each method takes ``scores(images) -> (N, K)`` (the model's class scores, e.g. logits),
images ``(N, C, H, W)`` and the class ``target`` of each image ``(N,)``, and returns a map
``(N, H, W)`` of how much each pixel matters for that class's score:

``saliency``   |d score / d pixel|, the largest over the channels (Simonyan et al., 2014)
``grad_cam``   ReLU(Σ_k α_k · A_k) of a convolution's activations A (K, h, w), with the
               channel weights α_k = mean over (h, w) of d score / d A_k, resized to (H, W)
               (Selvaraju et al., 2017)
``occlusion``  the drop of the class's probability when a square patch of the image is
               replaced by a baseline, averaged over the patches covering each pixel
               (Zeiler & Fergus, 2014)
"""
from .methods import grad_cam, occlusion, saliency, stroke_share

__all__ = ["saliency", "grad_cam", "occlusion", "stroke_share"]
