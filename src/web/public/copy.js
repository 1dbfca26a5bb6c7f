// The only script of the site: the "copy" button next to a link (the page works without it).
for (const button of document.querySelectorAll('button[data-copy]')) {
  const input = document.getElementById(button.dataset.copy);
  if (!input) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select();
      document.execCommand('copy');
    }
    const status = document.getElementById(button.dataset.status);
    if (status) status.textContent = button.dataset.done;
  });
}
