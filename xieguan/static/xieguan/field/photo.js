// xieguan field app: photos are shrunk on the phone before they are stored or sent.
// Long side at most 1600 px, JPEG, quality lowered step by step until about 300 KB; a 200 px
// thumbnail for lists (never the full photo). The server checks, re-encodes and stamps anyway.
export const MAX_SIDE = 1600;
export const TARGET_BYTES = 300 * 1024;
export const THUMB_SIDE = 200;

async function decode(file) {
  if ("createImageBitmap" in self) {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (e) {
      // fall through to <img>, which some browsers decode where createImageBitmap cannot
    }
  }
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("无法读取这张图片，请换一张照片。"));
    img.src = URL.createObjectURL(file);
  });
}

function draw(source, side) {
  const width = source.naturalWidth || source.width;
  const height = source.naturalHeight || source.height;
  const scale = Math.min(1, side / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; // a transparent PNG becomes white, not black, as JPEG
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

function toBlob(canvas, quality) {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("照片压缩失败"))), "image/jpeg", quality)
  );
}

// -> {blob, thumb, width, height, size}
export async function shrink(file) {
  const source = await decode(file);
  const canvas = draw(source, MAX_SIDE);
  let quality = 0.82;
  let blob = await toBlob(canvas, quality);
  while (blob.size > TARGET_BYTES * 1.15 && quality > 0.45) {
    quality -= 0.1;
    blob = await toBlob(canvas, quality);
  }
  const thumb = await toBlob(draw(source, THUMB_SIDE), 0.7);
  if (source.close) source.close();
  return { blob, thumb, width: canvas.width, height: canvas.height, size: blob.size };
}

export function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
