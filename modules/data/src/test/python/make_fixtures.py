#!/usr/bin/python3
"""Regenerates the expected-value fixtures of modules/data from real OpenCV and ImageMagick.

The Java tests never run Python: they compare against the files this script writes, so CI needs neither OpenCV
nor ImageMagick. Run it from anywhere after changing what the fixtures cover:

    apt-get install python3-opencv imagemagick      # Debian 12: OpenCV 4.6.0, numpy 1.24, ImageMagick 6.9.11
    /usr/bin/python3 modules/data/src/test/python/make_fixtures.py

Every output is deterministic (fixed seeds, no timestamps), so a rerun with the same library versions leaves
`git status` clean. The reference for "what Python does" is the classic notebook
(validate_alexnet_on_imagenet.ipynb): cv2.imread -> cv2.resize(img.astype(np.float32), (227, 227)) -> minus BGR
[104, 117, 124].
"""
import os
import struct
import subprocess
import sys
import zipfile

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.normpath(os.path.join(HERE, '..', 'resources'))
IMAGES = os.path.join(RES, 'images')
DECODE = os.path.join(RES, 'decode')
RESIZE = os.path.join(RES, 'resize')
# Caffe's mean image, committed once among weights' genuine third-party fixtures
MEAN = os.path.normpath(os.path.join(HERE, '../../../../weights/src/test/resources/fixtures/real'))
CONVERT = '/usr/bin/convert'  # the real ImageMagick, not a stand-in earlier on PATH
PNG9 = [cv2.IMWRITE_PNG_COMPRESSION, 9]
NOTEBOOK_MEAN = np.array([104., 117., 124.], dtype=np.float32)


def magick(*args):
    subprocess.run([CONVERT, *args], check=True)


def imwrite(path, img):
    if not cv2.imwrite(path, img, PNG9 if path.endswith('.png') else []):
        sys.exit('cv2.imwrite failed: ' + path)


def expect_cv2(name):
    """cv2.imread(name) (IMREAD_COLOR: BGR, 8-bit, alpha dropped, EXIF orientation applied) as a PNG."""
    img = cv2.imread(os.path.join(DECODE, name))
    if img is None:
        sys.exit('OpenCV cannot read ' + name)
    imwrite(os.path.join(DECODE, 'expected', name + '.png'), img)


def with_exif_orientation(jpeg, orientation):
    """The JPEG with an APP1 Exif segment holding only IFD0 tag 0x0112 (Orientation), big-endian TIFF."""
    tiff = b'MM\x00\x2a' + struct.pack('>I', 8) + struct.pack('>H', 1) \
        + struct.pack('>HHIHH', 0x0112, 3, 1, orientation, 0) + struct.pack('>I', 0)
    payload = b'Exif\x00\x00' + tiff
    return jpeg[:2] + b'\xff\xe1' + struct.pack('>H', len(payload) + 2) + payload + jpeg[2:]


def decode_fixtures():
    os.makedirs(os.path.join(DECODE, 'expected'), exist_ok=True)
    llama = cv2.imread(os.path.join(IMAGES, 'llama.jpeg'))
    small = cv2.resize(llama, (125, 84), interpolation=cv2.INTER_AREA)
    rng = np.random.default_rng(20240601)

    # The three sample images exactly as cv2.imread (libjpeg-turbo) decodes them.
    for name in ('llama', 'sealion', 'zebra'):
        img = cv2.imread(os.path.join(IMAGES, name + '.jpeg'))
        imwrite(os.path.join(DECODE, 'expected', name + '.jpeg.png'), img)

    imwrite(os.path.join(DECODE, 'small.png'), small)
    expect_cv2('small.png')
    cv2.imwrite(os.path.join(DECODE, 'small.jpg'), small, [cv2.IMWRITE_JPEG_QUALITY, 90])
    expect_cv2('small.jpg')

    # Grayscale: a one-component JPEG and an 8-bit gray PNG, both read as three equal channels.
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    cv2.imwrite(os.path.join(DECODE, 'gray.jpg'), gray, [cv2.IMWRITE_JPEG_QUALITY, 90])
    expect_cv2('gray.jpg')
    imwrite(os.path.join(DECODE, 'gray.png'), gray)
    expect_cv2('gray.png')
    magick(os.path.join(DECODE, 'gray.png'), '-threshold', '50%', '-type', 'bilevel',
           '-define', 'png:exclude-chunks=date,time', 'PNG:' + os.path.join(DECODE, 'bilevel.png'))
    expect_cv2('bilevel.png')

    # Alpha: random colour under random alpha (including fully transparent pixels); cv2 drops alpha.
    bgra = np.dstack([small, rng.integers(0, 256, small.shape[:2], dtype=np.uint8)])
    bgra[:10, :10, 3] = 0
    imwrite(os.path.join(DECODE, 'alpha.png'), bgra)
    expect_cv2('alpha.png')
    magick(os.path.join(DECODE, 'gray.png'), '(', '+clone', '-fx', 'i/w', ')', '-alpha', 'off',
           '-compose', 'CopyOpacity', '-composite', '-define', 'png:color-type=4',
           '-define', 'png:exclude-chunks=date,time', 'PNG:' + os.path.join(DECODE, 'gray-alpha.png'))
    expect_cv2('gray-alpha.png')
    magick(os.path.join(DECODE, 'alpha.png'), '-colors', '32', '-define', 'png:exclude-chunks=date,time',
           'PNG8:' + os.path.join(DECODE, 'palette-trns.png'))
    expect_cv2('palette-trns.png')

    # 16 bits per sample: OpenCV keeps the high byte (libpng png_set_strip_16).
    rgb16 = (small.astype(np.uint16) << 8) | rng.integers(0, 256, small.shape, dtype=np.uint16)
    imwrite(os.path.join(DECODE, 'rgb16.png'), rgb16)
    expect_cv2('rgb16.png')
    gray16 = (gray.astype(np.uint16) << 8) | rng.integers(0, 256, gray.shape, dtype=np.uint16)
    imwrite(os.path.join(DECODE, 'gray16.png'), gray16)
    expect_cv2('gray16.png')

    # BMP: 24-bit from OpenCV, 8-bit palette from ImageMagick.
    imwrite(os.path.join(DECODE, 'small.bmp'), small)
    expect_cv2('small.bmp')
    magick(os.path.join(DECODE, 'small.png'), '-colors', '64', '-type', 'Palette', '-compress', 'None',
           'BMP3:' + os.path.join(DECODE, 'palette8.bmp'))
    expect_cv2('palette8.bmp')

    # GIF: OpenCV 4.6 cannot read GIF, so the reference is ImageMagick's decoding of frame 0 (via PPM, which
    # carries no metadata), saved by OpenCV as BGR PNG like every other expected image.
    first = os.path.join(DECODE, 'small.png')
    second = os.path.join(DECODE, 'gray.png')
    magick(first, '-colors', '64', os.path.join(DECODE, 'small.gif'))
    magick('-delay', '10', first, second, '-colors', '64', os.path.join(DECODE, 'animated.gif'))
    for name in ('small.gif', 'animated.gif'):
        ppm = os.path.join(DECODE, name + '.ppm')
        magick(os.path.join(DECODE, name) + '[0]', ppm)
        imwrite(os.path.join(DECODE, 'expected', name + '.png'), cv2.imread(ppm))
        os.remove(ppm)

    # CMYK: ImageMagick writes Adobe YCCK JPEGs; one plain, one with an embedded CMYK ICC profile (which OpenCV
    # ignores, as we do).
    magick(os.path.join(DECODE, 'small.jpg'), '-colorspace', 'CMYK', '-quality', '90',
           os.path.join(DECODE, 'cmyk.jpg'))
    expect_cv2('cmyk.jpg')
    icc = '/usr/share/color/icc/ghostscript/'
    magick(os.path.join(DECODE, 'small.jpg'), '-profile', icc + 'srgb.icc', '-profile', icc + 'default_cmyk.icc',
           '-quality', '90', os.path.join(DECODE, 'cmyk-icc.jpg'))
    expect_cv2('cmyk-icc.jpg')

    # EXIF orientation 1..8 on a non-square image; cv2.imread applies it.
    jpeg = open(os.path.join(DECODE, 'small.jpg'), 'rb').read()
    for o in range(1, 9):
        name = 'orientation-%d.jpg' % o
        open(os.path.join(DECODE, name), 'wb').write(with_exif_orientation(jpeg, o))
        expect_cv2(name)

    # Files that are not decodable images.
    whole = open(os.path.join(IMAGES, 'llama.jpeg'), 'rb').read()
    open(os.path.join(DECODE, 'truncated.jpg'), 'wb').write(whole[:len(whole) // 2])
    open(os.path.join(DECODE, 'text.jpg'), 'wb').write(b'This is a text file, not a JPEG.\n')
    open(os.path.join(DECODE, 'empty.jpg'), 'wb').write(b'')


def resize_fixtures():
    """Inputs as PNG (decoded exactly by any PNG reader) and cv2.resize outputs, as float32 arrays in one .npz."""
    os.makedirs(RESIZE, exist_ok=True)
    rng = np.random.default_rng(227)
    # (name, source w, h, target w, h): up, down, mixed, identity, exact halving (OpenCV switches to INTER_AREA
    # there), a single pixel, and thin strips.
    cases = [('up', 37, 23, 64, 50), ('down', 151, 99, 45, 61), ('mixed', 90, 17, 31, 40),
             ('same', 20, 15, 20, 15), ('half', 90, 60, 45, 30), ('pixel', 1, 1, 5, 4),
             ('strip', 200, 1, 13, 3), ('tall', 2, 150, 7, 227)]
    arrays = {}
    for name, w, h, dw, dh in cases:
        img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        imwrite(os.path.join(RESIZE, name + '.png'), img)
        img = cv2.imread(os.path.join(RESIZE, name + '.png'))
        arrays[name + '_f32'] = cv2.resize(img.astype(np.float32), (dw, dh)).reshape(dh, dw, 3)
        arrays[name + '_u8'] = cv2.resize(img, (dw, dh)).reshape(dh, dw, 3).astype(np.float32)

    # The notebook's exact preprocessing of a sample image, and the uint8 resize of another.
    llama = cv2.imread(os.path.join(IMAGES, 'llama.jpeg'))
    arrays['llama_notebook'] = cv2.resize(llama.astype(np.float32), (227, 227)) - NOTEBOOK_MEAN
    zebra = cv2.imread(os.path.join(IMAGES, 'zebra.jpeg'))
    arrays['zebra_u8'] = cv2.resize(zebra, (227, 227)).astype(np.float32)

    # Caffe's mean image (C, H, W) resized to 227x227 by OpenCV in float32: rows 0, 113 and 226 only.
    mean = np.load(os.path.join(MEAN, 'caffe-ilsvrc_2012_mean.npy'))
    mean227 = cv2.resize(mean.transpose(1, 2, 0).astype(np.float32), (227, 227))
    arrays['caffe_mean_227_rows_0_113_226'] = mean227[[0, 113, 226]]
    save_npz(os.path.join(RESIZE, 'expected.npz'), arrays)


def save_npz(path, arrays):
    """np.savez_compressed, but with fixed entry timestamps so that a rerun gives identical bytes."""
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, a in arrays.items():
            info = zipfile.ZipInfo(name + '.npy', date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, 'w') as f:
                np.lib.format.write_array(f, np.ascontiguousarray(a, dtype=np.float32))


if __name__ == '__main__':
    print('OpenCV', cv2.__version__, 'numpy', np.__version__)
    decode_fixtures()
    resize_fixtures()
