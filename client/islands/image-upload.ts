/**
 * Creator images: shrunk in the browser before upload (profile 512 px, banner 1600 px, WebP), so
 * uploads are quick and within the server's limits. Without JavaScript the file goes as is. Either
 * way the server checks the bytes and makes the variants it serves (src/domain/creators/profile.ts).
 */
const TARGET: Record<string, number> = { profile: 512, banner: 1600 };

async function resize(file: File, maxSide: number): Promise<File> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  if (scale === 1 && file.size < 1_000_000) return file;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, 'image/webp', 0.86));
  return blob ? new File([blob], `${file.name.replace(/\.\w+$/, '')}.webp`, { type: 'image/webp' }) : file;
}

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-image-upload]')) {
  form.addEventListener('submit', async (e) => {
    const input = form.querySelector<HTMLInputElement>('input[type=file]');
    const file = input?.files?.[0];
    if (!input || !file || form.dataset.resized) return;
    e.preventDefault();
    try {
      const small = await resize(file, TARGET[form.dataset.imageUpload ?? 'profile'] ?? 1600);
      const dt = new DataTransfer();
      dt.items.add(small);
      input.files = dt.files;
    } catch {
      // Not an image the browser can decode: let the server explain.
    }
    form.dataset.resized = '1';
    form.requestSubmit();
  });
}
