// Employer form: choosing a GB/T 4754 industry code sets the key-industry category from the
// editable mapping (the server checks the same rule).
(() => {
  const mapNode = document.getElementById("industry-map");
  const code = document.getElementById("id_industry_code");
  const industry = document.getElementById("id_industry");
  if (!mapNode || !code || !industry) return;
  const map = JSON.parse(mapNode.textContent);
  code.addEventListener("change", () => {
    const category = map[code.value];
    if (category) industry.value = category;
  });
  // A chosen factor implies its category: tick it, so what is shown is what will be saved.
  document.querySelectorAll("input[name=hazard_factors]").forEach((box) => {
    box.addEventListener("change", () => {
      if (!box.checked) return;
      const category = document.querySelector(`input[name=hazard_categories][value="${box.dataset.category}"]`);
      if (category) category.checked = true;
    });
  });
})();
