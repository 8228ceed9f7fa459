"""``torchvision.io`` (``minidl.vision.io``): round trips, read modes against Pillow, the
encoded-bytes API, argument errors, and hostile files refused with minidl's clear errors."""
import numpy as np
import pytest
from data_files import png_bytes
from PIL import Image

import minidl
from minidl.vision import io
from minidl.vision.io import ImageDecodeError, ImageReadMode, ImageTooLargeError


@pytest.fixture
def image(rng):
    return rng.integers(0, 256, (3, 9, 13), dtype=np.uint8)


def test_read_mode_values_are_torchvisions():
    assert [m.value for m in (ImageReadMode.UNCHANGED, ImageReadMode.GRAY,
                              ImageReadMode.GRAY_ALPHA, ImageReadMode.RGB,
                              ImageReadMode.RGB_ALPHA)] == [0, 1, 2, 3, 4]
    assert ImageReadMode.RGBA is ImageReadMode.RGB_ALPHA


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_png_round_trip_is_exact(channels, rng, tmp_path):
    pixels = rng.integers(0, 256, (channels, 6, 11), dtype=np.uint8)
    io.write_png(minidl.from_numpy(pixels), tmp_path / "a.png", compression_level=9)
    back = io.read_image(tmp_path / "a.png")
    assert back.dtype == np.uint8 and tuple(back.shape) == (channels, 6, 11)
    np.testing.assert_array_equal(back.numpy(), pixels)
    encoded = io.encode_png(minidl.from_numpy(pixels))
    assert encoded.dtype == np.uint8 and encoded.dim() == 1
    np.testing.assert_array_equal(io.decode_png(encoded).numpy(), pixels)
    np.testing.assert_array_equal(io.decode_image(encoded).numpy(), pixels)


@pytest.mark.parametrize("channels", [1, 3])
def test_jpeg_round_trip_within_tolerance_and_matches_pillow(channels, tmp_path):
    y, x = np.mgrid[0:32, 0:48]
    smooth = np.stack([(x * 5) % 256, (y * 7) % 256, (x + y) * 3 % 256])[:channels]
    pixels = smooth.astype(np.uint8)
    io.write_jpeg(minidl.from_numpy(pixels), tmp_path / "a.jpg", quality=95)
    back = io.read_image(tmp_path / "a.jpg")
    assert back.dtype == np.uint8 and tuple(back.shape) == (channels, 32, 48)
    error = np.abs(back.numpy().astype(int) - pixels.astype(int))
    assert error.mean() < 3 and error.max() < 40
    pil = np.asarray(Image.open(tmp_path / "a.jpg"))
    np.testing.assert_array_equal(back.numpy(), pil.reshape(32, 48, -1).transpose(2, 0, 1))
    low = io.encode_jpeg(minidl.from_numpy(pixels), quality=10)
    high = io.encode_jpeg(minidl.from_numpy(pixels), quality=95)
    assert low.numel() < high.numel()
    batch = io.encode_jpeg([minidl.from_numpy(pixels)] * 2)
    decoded = io.decode_jpeg(batch)
    assert len(decoded) == 2 and tuple(decoded[1].shape) == (channels, 32, 48)


def test_modes_match_pillow_conversions(image, tmp_path):
    rgba = np.concatenate([image, image[:1] // 2 + 10])
    path = tmp_path / "rgba.png"
    io.write_png(minidl.from_numpy(rgba), path)
    pil = Image.open(path)
    expected = {ImageReadMode.UNCHANGED: rgba,
                ImageReadMode.GRAY: np.asarray(pil.convert("L"))[None],
                ImageReadMode.GRAY_ALPHA: np.asarray(pil.convert("LA")).transpose(2, 0, 1),
                ImageReadMode.RGB: image,
                ImageReadMode.RGB_ALPHA: rgba}
    for mode, want in expected.items():
        got = io.read_image(path, mode)
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got.numpy(), want, err_msg=str(mode))
    assert np.array_equal(io.read_image(path, "gray").numpy(), expected[ImageReadMode.GRAY])
    rgb_path = tmp_path / "rgb.png"
    io.write_png(minidl.from_numpy(image), rgb_path)
    gray = io.read_image(rgb_path, ImageReadMode.GRAY).numpy()[0]
    np.testing.assert_array_equal(gray, np.asarray(Image.open(rgb_path).convert("L")))
    weights = np.array([0.2989, 0.587, 0.114])[:, None, None]  # libpng's (torchvision's)
    assert np.abs(gray - (image * weights).sum(0)).max() <= 1.0


def test_alpha_is_added_opaque_and_gray_is_repeated(rng, tmp_path):
    gray = rng.integers(0, 256, (1, 5, 4), dtype=np.uint8)
    path = tmp_path / "g.png"
    io.write_png(minidl.from_numpy(gray), path)
    np.testing.assert_array_equal(io.read_image(path, ImageReadMode.RGB).numpy(),
                                  np.repeat(gray, 3, 0))
    ga = io.read_image(path, ImageReadMode.GRAY_ALPHA).numpy()
    np.testing.assert_array_equal(ga[0], gray[0])
    assert (ga[1] == 255).all()
    rgba = io.read_image(path, ImageReadMode.RGB_ALPHA).numpy()
    assert rgba.shape == (4, 5, 4) and (rgba[3] == 255).all()


def test_palette_png_unchanged_gives_indices_like_libpng(tmp_path):
    indices = np.array([[0, 1, 2], [2, 1, 0]], np.uint8)
    pil = Image.fromarray(indices, "P")
    pil.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (253 * 3))
    pil.save(tmp_path / "p.png")
    np.testing.assert_array_equal(io.read_image(tmp_path / "p.png").numpy(), indices[None])
    rgb = io.read_image(tmp_path / "p.png", ImageReadMode.RGB).numpy()
    np.testing.assert_array_equal(rgb[:, 0, 0], [255, 0, 0])
    np.testing.assert_array_equal(rgb[:, 0, 2], [0, 0, 255])


def test_sixteen_bit_gray_png_is_uint16(tmp_path):
    values = np.array([[0, 1000, 65535]], np.uint16)
    Image.fromarray(values).save(tmp_path / "d.png")
    got = io.read_image(tmp_path / "d.png")
    assert got.dtype == np.uint16
    np.testing.assert_array_equal(got.numpy(), values[None])
    rgba = io.read_image(tmp_path / "d.png", ImageReadMode.RGB_ALPHA).numpy()
    assert rgba.shape == (4, 1, 3) and (rgba[3] == 65535).all() and (rgba[2] == values).all()


def test_exif_orientation(tmp_path):
    pixels = np.arange(6, dtype=np.uint8).reshape(2, 3) * 40
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees clockwise to display
    Image.fromarray(pixels).save(tmp_path / "o.png", exif=exif)
    assert tuple(io.read_image(tmp_path / "o.png").shape) == (1, 2, 3)
    turned = io.read_image(tmp_path / "o.png", apply_exif_orientation=True).numpy()[0]
    np.testing.assert_array_equal(turned, np.rot90(pixels, -1))


def test_read_file_and_write_file(tmp_path):
    data = bytes(range(256)) * 3
    (tmp_path / "raw").write_bytes(data)
    got = io.read_file(tmp_path / "raw")
    assert got.dtype == np.uint8 and tuple(got.shape) == (768,)
    assert got.numpy().tobytes() == data
    io.write_file(tmp_path / "copy", got)
    assert (tmp_path / "copy").read_bytes() == data
    with pytest.raises(FileNotFoundError, match="read_file: file not found"):
        io.read_file(tmp_path / "missing")


def test_argument_errors(image):
    t = minidl.from_numpy(image)
    with pytest.raises(ValueError, match="mode must be an ImageReadMode"):
        io.decode_image(io.encode_png(t), mode="CMYK")
    with pytest.raises(ValueError, match="non-empty 1-D uint8 Tensor"):
        io.decode_image(minidl.zeros(4))
    with pytest.raises(TypeError, match="expected a uint8 Tensor"):
        io.encode_png(t.float())
    with pytest.raises(ValueError, match=r"C in \(1, 3\)"):
        io.encode_jpeg(minidl.from_numpy(np.zeros((4, 2, 2), np.uint8)))
    with pytest.raises(ValueError, match="quality must be an int from 1 to 100"):
        io.encode_jpeg(t, quality=0)
    with pytest.raises(ValueError, match="compression_level must be an int from 0 to 9"):
        io.encode_png(t, compression_level=10)


# -- hostile input: the same limits and errors as every image minidl reads -----------------
def good_png(image) -> bytes:
    return io.encode_png(minidl.from_numpy(image)).numpy().tobytes()


def test_truncated_png_is_a_decode_error(image, tmp_path):
    cut = tmp_path / "cut.png"
    cut.write_bytes(good_png(image)[:-30])
    with pytest.raises(ImageDecodeError, match="cut.png: cannot decode image"):
        io.read_image(cut)
    data = io.read_file(cut)
    with pytest.raises(ImageDecodeError, match="<encoded image>: cannot decode image"):
        io.decode_image(data)


@pytest.mark.parametrize("content", [b"not an image at all", b"\x89PNG\r\n\x1a\n" + bytes(40),
                                     b"\xff\xd8\xff" + bytes(100)])
def test_wrong_or_damaged_content_is_a_decode_error(content, tmp_path):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageDecodeError, match="bad.png: cannot decode image"):
        io.read_image(path)
    with pytest.raises(ImageDecodeError, match="cannot decode image"):
        io.decode_image(minidl.from_numpy(np.frombuffer(content, np.uint8).copy()))


def test_decode_png_and_jpeg_refuse_the_other_format(image):
    png = io.encode_png(minidl.from_numpy(image))
    jpeg = io.encode_jpeg(minidl.from_numpy(image))
    with pytest.raises(ImageDecodeError, match="decode_jpeg: the content is PNG, not JPEG"):
        io.decode_jpeg(png)
    with pytest.raises(ImageDecodeError, match="decode_png: the content is JPEG, not PNG"):
        io.decode_png(jpeg)


def test_pixel_cap_refuses_before_decoding(image, tmp_path, monkeypatch):
    monkeypatch.setenv("MINIDL_MAX_IMAGE_PIXELS", "100")
    data = minidl.from_numpy(np.frombuffer(good_png(image), np.uint8).copy())
    with pytest.raises(ImageTooLargeError, match="13x9 = 117 pixels is over the limit of 100"):
        io.decode_image(data)


@pytest.mark.parametrize("side,message", [
    (9_000, "81,000,000 pixels is over the limit of 64,000,000"),   # minidl's cap
    (40_000, "refused by Pillow as a possible decompression bomb")])  # Pillow's, beyond
def test_a_declared_huge_png_is_refused_from_its_header(side, message, tmp_path):
    bomb = tmp_path / "bomb.png"  # side x side declared, 30 bytes of IDAT
    bomb.write_bytes(png_bytes(side, side, b"\x78\x9c" + bytes(28)))
    with pytest.raises(ImageTooLargeError, match=message):
        io.read_image(bomb)
    with pytest.raises(ImageTooLargeError, match=message):
        io.decode_png(io.read_file(bomb))


def test_minidl_run_resolves_torchvision_io(tmp_path, image):
    from minidl.compat.importer import torch_is_minidl
    io.write_png(minidl.from_numpy(image), tmp_path / "a.png")
    with torch_is_minidl():
        import torchvision.io as tvio
        from torchvision.io import ImageReadMode as Mode
        from torchvision.io import read_image
        assert read_image is io.read_image and tvio.decode_png is io.decode_png
        assert tuple(read_image(str(tmp_path / "a.png"), Mode.GRAY).shape) == (1, 9, 13)
