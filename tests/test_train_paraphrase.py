"""tools/train_paraphrase.py end to end on a tiny Perspectrum-shaped sample: it trains the
upper layers only, writes them with a card, and what it writes loads over the installed MiniLM
(memo's BertEmbedder with a fine-tuned delta, as benchmarks/perspectrum_grouping.py loads it)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from memo._embed import BertEmbedder, bundled_minilm_path, get_embedder

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "benchmarks"))

from grouping_baselines import paraphrase_encoder  # noqa: E402
from tools import train_paraphrase  # noqa: E402

# Each claim: clusters of statements that make one point in different words.
CLAIMS = [
    ("Schools should ban phones", [["Phones distract pupils in class.", "Mobiles pull children's attention from lessons."],
                                   ["Pupils need phones to stay safe.", "Children must be able to call their parents."]]),
    ("Cities should build bike lanes", [["Bike lanes cut traffic deaths.", "Separated cycle paths save lives."],
                                        ["Bike lanes slow buses down.", "Cycle paths take road space from buses."]]),
    ("Voting should be compulsory", [["Compulsory voting raises turnout.", "Mandatory voting gets more people to polls."],
                                     ["Forcing people to vote is unfree.", "Obliging citizens to vote curbs liberty."]]),
    ("Nuclear power should expand", [["Nuclear plants emit no carbon.", "Reactors produce electricity without CO2."],
                                     ["Nuclear waste lasts for millennia.", "Spent fuel stays dangerous for ages."]]),
]


def write_perspectrum(root: Path) -> Path:
    claims, perspectives, split, pid = [], [], {}, 0
    for n, (claim, clusters) in enumerate(CLAIMS):
        listed = []
        for cluster in clusters:
            listed.append({"pids": list(range(pid, pid + len(cluster))), "stance_label_3": "SUPPORT"})
            perspectives += [{"pId": pid + k, "text": text} for k, text in enumerate(cluster)]
            pid += len(cluster)
        claims.append({"cId": n, "text": claim, "perspectives": listed})
        split[str(n)] = "dev" if n == len(CLAIMS) - 1 else "train"
    root.mkdir(parents=True)
    for name, value in (("claims_train_dev", claims), ("perspectives_train_dev", perspectives),
                        ("split_train_dev", split)):
        (root / f"{name}.json").write_text(json.dumps(value), encoding="utf-8")
    return root


def test_training_writes_upper_layers_and_a_card_that_memo_loads(tmp_path, capsys):
    data = write_perspectrum(tmp_path / "perspectrum")
    out = tmp_path / "paraphrase"
    assert train_paraphrase.main(["--data", str(data), "--out", str(out), "--layers", "2", "--epochs", "1",
                                  "--holdout", "1", "--lr", "1e-4"]) == 0
    assert "dev ARI" in capsys.readouterr().out
    card = json.loads((out / "paraphrase.json").read_text(encoding="utf-8"))
    assert card["layers_trained"] == [4, 5] and len(card["history"]) == 2
    assert 0.6 <= card["threshold"] <= 0.9 and set(card["data"]) == set(train_paraphrase.FILES)
    shipped = load_file(str(out / "weights.safetensors"))
    assert shipped and all(name.startswith(("encoder.layer.4.", "encoder.layer.5.")) for name in shipped)
    assert {str(a.dtype) for a in shipped.values()} == {"float16"}  # half the size; read back as float32
    encoder, threshold = paraphrase_encoder(out)
    assert threshold == card["threshold"]
    texts = ["Phones distract pupils in class.", "Bike lanes cut traffic deaths."]
    tuned = encoder.embed(texts)
    assert np.allclose(np.linalg.norm(tuned, axis=1), 1, atol=1e-5)
    base = get_embedder().embed(texts)
    # the shipped layers are what runs: the epoch kept (here maybe the untrained one) gives its vectors,
    assert np.allclose(tuned, base, atol=2e-3) == (card["chosen_epoch"] == 0)
    # and changed layers change them
    shipped["encoder.layer.5.output.dense.weight"] *= 0.5
    save_file(shipped, str(out / "weights.safetensors"))
    changed = paraphrase_encoder(out)[0]
    assert not np.allclose(changed.embed(texts), base, atol=1e-2)
    assert changed.cache_key != get_embedder().cache_key  # never the base model's cached vectors
    on_torch = BertEmbedder(bundled_minilm_path(), runtime="torch", weights=[out / "weights.safetensors"])
    assert np.allclose(on_torch.embed(texts), changed.embed(texts), atol=1e-4)  # both runtimes read the delta


def test_missing_data_is_one_clear_line(tmp_path, capsys):
    assert train_paraphrase.main(["--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "Perspectrum data not found" in capsys.readouterr().err
