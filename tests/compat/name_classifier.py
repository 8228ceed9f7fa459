"""A character-level name classifier in the style of PyTorch's tutorial "NLP From Scratch:
Classifying Names with a Character-Level RNN": a name is a sequence of one-hot letters, a
recurrent layer reads it, and a linear layer on its last hidden state scores the
languages.  Names of different lengths go in batches through ``pad_sequence`` and
``pack_padded_sequence``, so each name's recurrence stops at its own last letter.  The
program trains an LSTM and a GRU (``--cells``), then classifies a few names one at a time
(unbatched input).

    python name_classifier.py --epochs 30            # on PyTorch
    minidl run name_classifier.py --epochs 30        # the same program on minidl
"""
import argparse
import string

import parity
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

ALL_LETTERS = string.ascii_letters + " .,;'"
N_LETTERS = len(ALL_LETTERS)
NAMES = {
    "English": ["Smith", "Johnson", "Williams", "Brown", "Taylor", "Walker", "Wright",
                "Thompson"],
    "French": ["Dubois", "Lefebvre", "Moreau", "Laurent", "Girard", "Rousseau", "Fournier",
               "Mercier"],
    "Italian": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo",
                "Ricci"],
    "Japanese": ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto",
                 "Nakamura"],
}
ALL_CATEGORIES = list(NAMES)


def letter_to_index(letter):
    return ALL_LETTERS.find(letter)


def line_to_tensor(line):
    """A name as a (length, n_letters) tensor of one-hot rows."""
    tensor = torch.zeros(len(line), N_LETTERS)
    for li, letter in enumerate(line):
        tensor[li][letter_to_index(letter)] = 1
    return tensor


class CharRNN(nn.Module):
    def __init__(self, cell, input_size, hidden_size, output_size, num_layers=1,
                 bidirectional=False, dropout=0.0):
        super().__init__()
        layer = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.directions = 2 if bidirectional else 1
        self.rnn = layer(input_size, hidden_size, num_layers=num_layers, batch_first=True,
                         bidirectional=bidirectional, dropout=dropout)
        self.h2o = nn.Linear(hidden_size * self.directions, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def last_hidden(self, hidden):
        """The top layer's final state, both directions side by side."""
        if isinstance(hidden, tuple):  # the LSTM's (h_n, c_n)
            hidden = hidden[0]
        return torch.cat(list(hidden[-self.directions:]), dim=-1)

    def forward(self, names, lengths):
        packed = pack_padded_sequence(names, lengths, batch_first=True, enforce_sorted=False)
        _, hidden = self.rnn(packed)
        return self.softmax(self.h2o(self.last_hidden(hidden)))

    def classify(self, line_tensor):
        """One name, unbatched: (length, n_letters) -> (1, categories)."""
        _, hidden = self.rnn(line_tensor)
        return self.softmax(self.h2o(self.last_hidden(hidden)).unsqueeze(0))


def category_from_output(output):
    _, top_i = output.topk(1)
    category_i = top_i[0].item()
    return ALL_CATEGORIES[category_i], category_i


def dataset(args):
    """(names, labels): the built-in names, or the letter codes of ``--data`` (-1 pads)."""
    if args.data:
        arrays = parity.arrays(args)
        names = ["".join(ALL_LETTERS[c] for c in row.tolist() if c >= 0)
                 for row in arrays["names"]]
        return names, arrays["labels"]
    names = [name for category in ALL_CATEGORIES for name in NAMES[category]]
    labels = torch.tensor([i for i, category in enumerate(ALL_CATEGORIES)
                           for _ in NAMES[category]])
    return names, labels


def train(args, model, cell, names, labels, record):
    criterion = nn.NLLLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    tensors = [line_to_tensor(name) for name in names]
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.arange(len(names)) if args.no_shuffle else torch.randperm(len(names))
        total = 0.0
        for start in range(0, len(names), args.batch_size):
            batch = order[start:start + args.batch_size].tolist()
            lines = pad_sequence([tensors[i] for i in batch], batch_first=True)
            lengths = torch.tensor([len(names[i]) for i in batch])
            optimizer.zero_grad()
            output = model(lines, lengths)
            loss = criterion(output, labels[batch])
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), 3)
            optimizer.step()
            record(loss.item(), norm)
            total += loss.item() * len(batch)
        if epoch % args.print_every == 0 or epoch == args.epochs:
            print(f"{cell} epoch {epoch} ({epoch / args.epochs:.0%}) loss "
                  f"{total / len(names):.4f}")


def evaluate(model, cell, names, labels, record):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i, name in enumerate(names):
            output = model.classify(line_to_tensor(name))
            guess, guess_i = category_from_output(output)
            correct += int(guess_i == int(labels[i]))
            if i < 4:
                record(output)
                print(f"{cell}: {name} -> {guess}")
    record(correct)
    print(f"{cell} accuracy on the training names: {correct}/{len(names)}")


def main():
    parser = argparse.ArgumentParser(description="character-level name classifier")
    parser.add_argument("--cells", nargs="+", default=["lstm", "gru"],
                        choices=["lstm", "gru", "rnn"])
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--bidirectional", action="store_true")
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--print-every", type=int, default=5)
    parity.add_arguments(parser)
    args = parser.parse_args()
    parity.setup(args)
    record = parity.Recorder(args)
    names, labels = dataset(args)
    torch.manual_seed(args.seed)
    models = {cell: CharRNN(cell, N_LETTERS, args.hidden, len(ALL_CATEGORIES), args.layers,
                            args.bidirectional, args.dropout) for cell in args.cells}
    parity.start_from(args, **models)
    for cell, model in models.items():
        train(args, model, cell, names, labels, record)
        evaluate(model, cell, names, labels, record)
    record.save()


if __name__ == "__main__":
    main()
